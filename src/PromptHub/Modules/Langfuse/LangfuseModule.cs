using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PromptHub.Modules.Langfuse;

/// <summary>
/// Langfuse's public prompt API (v2), so that Langfuse's SDKs work against PromptHub with only their base
/// URL and keys changed. A translation layer: prompts, versions and labels stay PromptHub's (the registry
/// writes, the serving cache reads); only the wire format and the error envelope are Langfuse's.
/// </summary>
public static class LangfuseModule
{
    public const string Root = "/api/public/v2/prompts";

    public static void AddLangfuseModule(this IHostApplicationBuilder builder)
    {
        // First in line: the problem details service asks its writers in order, and the default one would take every request.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, LangfuseErrors>());
    }

    /// <summary>Langfuse's routes, where errors take its envelope.</summary>
    public static bool IsLangfusePath(PathString path) => path.StartsWithSegments("/api/public", StringComparison.OrdinalIgnoreCase);
}

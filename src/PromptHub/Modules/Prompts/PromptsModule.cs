using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptHub.Modules.Access;

namespace PromptHub.Modules.Prompts;

/// <summary>The prompt registry: prompts, immutable versions, labels, activation and rollback.</summary>
public static class PromptsModule
{
    public static void AddPromptsModule(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PromptRegistry>();
        builder.Services.AddScoped<IPromptRegistry>(sp => sp.GetRequiredService<PromptRegistry>());
        builder.Services.AddScoped<IPromptNames, PromptNames>();
        builder.Services.AddScoped<IPromptReader, PromptReads>();
        builder.Services.AddScoped<IPromptTags, PromptTags>();
        builder.Services.AddSingleton<PromptPaths>();
        builder.Services.AddPromptActions("versions", "versions/*", "versions/*/diff", "labels/*", "labels/*/rollback", "labels/*/history");
        builder.Services.AddScoped<IProjectSetup, ExamplePrompts>();
    }

    /// <summary>Before routing: plain slashes in prompt names become `%2F` (see <see cref="PromptPaths"/>).</summary>
    public static void UsePromptPaths(this WebApplication app) => app.Use(app.Services.GetRequiredService<PromptPaths>().Rewrite);
}

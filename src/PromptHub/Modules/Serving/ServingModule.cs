using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Serving;

/// <summary>Resolve and render for LLM services: from memory, consistent across instances, available while the database is not.</summary>
public static class ServingModule
{
    public static void AddServingModule(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServingOptions>().BindConfiguration("PromptHub:Serving")
            .Validate(options => !options.Problems().Any(), "PromptHub:Serving has a limit below 1 (LoopLimit, RecursiveLimit, OutputLimit, RenderTimeoutMilliseconds)")
            .ValidateOnStart();
        builder.Services.AddPromptActions("resolve", "render");
        builder.Services.AddSingleton<ServingStore>();
        builder.Services.AddSingleton<PromptCache>();
        builder.Services.AddSingleton<IPromptCatalog>(sp => sp.GetRequiredService<PromptCache>());
        builder.Services.AddSingleton<PromptResolver>();
        builder.Services.AddSingleton<IPromptResolution, PromptResolution>();
        builder.Services.AddSingleton<IncludeLoader>();
        builder.Services.AddSingleton<TemplateRenderer>();
    }
}

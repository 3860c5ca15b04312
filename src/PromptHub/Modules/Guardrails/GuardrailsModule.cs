using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PromptHub.Modules.Guardrails;

/// <summary>Per-project rules (PII, prompt injection, blocklists, length limits) applied to render's variables, with their counts.</summary>
public static class GuardrailsModule
{
    public static void AddGuardrailsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<FindingCounts>();
        services.AddHostedService<FindingCountsWriter>();
        services.AddSingleton<GuardrailRules>();
        services.AddSingleton<IGuardrails>(sp => sp.GetRequiredService<GuardrailRules>());
    }
}

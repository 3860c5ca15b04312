using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Experiments;

/// <summary>A/B experiments and gradual rollouts between prompt versions, with their results.</summary>
public static class ExperimentsModule
{
    public static void AddExperimentsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ExperimentsOptions>().BindConfiguration("PromptHub:Experiments").ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExperimentsOptions>, ExperimentsOptionsValidation>();
        services.AddPromptActions("labels/*/rollout", "labels/*/rollout/complete", "labels/*/rollout/abort");
        services.AddSingleton<RunningExperiments>();
        services.AddSingleton<IRunningExperiments>(sp => sp.GetRequiredService<RunningExperiments>());
        services.AddScoped<ExperimentRegistry>();
    }

    public static void MapExperimentsEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapExperimentRoutes();
        api.MapRolloutRoutes();
    }
}

sealed class ExperimentsOptionsValidation : IValidateOptions<ExperimentsOptions>
{
    public ValidateOptionsResult Validate(string? name, ExperimentsOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptHub.Modules.Jobs;
using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Analytics;

/// <summary>Executions, outcomes, the daily roll-up, retention, backfills and the analytics read side.</summary>
public static class AnalyticsModule
{
    public static void AddAnalyticsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPromptNameRoute("/api/v1/analytics/prompts/");
        services.AddOptions<AnalyticsOptions>().BindConfiguration("PromptHub:Analytics");
        services.AddSingleton<ExecutionIngest>();
        services.AddSingleton<Outcomes>();
        services.AddSingleton<DailyRollUp>();
        services.AddSingleton<Retention>();
        services.AddScoped<AnalyticsQueries>();
        services.AddSingleton<IExperimentExecutions, ExperimentExecutions>();
        services.AddScoped<Backfills>();

        builder.AddRecurringJob<DailyRollUpJob>(DailyRollUpJob.Name, "Rolls yesterday's executions (and earlier days to roll up again) up into daily stats",
            "PromptHub:Jobs:DailyAggregationCron", "0 1 * * *");
        builder.AddRecurringJob<RetentionJob>(RetentionJob.Name, "Removes raw executions older than PromptHub:Analytics:RetentionDays",
            "PromptHub:Jobs:RetentionCron", "30 1 * * *");
        builder.AddOnDemandJob<BackfillJob>(Backfills.JobName, "Rolls up a date range of one project again");
    }
}

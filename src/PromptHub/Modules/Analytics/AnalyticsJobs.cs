using Microsoft.Extensions.DependencyInjection;
using Quartz;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.Analytics;

/// <summary>Nightly (01:00 UTC by default): yesterday, and every earlier day marked to roll up again.</summary>
[DisallowConcurrentExecution]
sealed class DailyAggregationJob(DailyAggregation aggregation) : IJob
{
    public const string Name = "analytics-daily-aggregation";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var days = await aggregation.DaysToRollUpAsync(cancellationToken);
        var rows = 0;
        foreach (var day in days) rows += await aggregation.AggregateAsync(day, null, cancellationToken);
        context.Result = JobRunReport.Succeeded($"rolled up {days.Count} day(s): {string.Join(", ", days)}")
            .With("days", days.Count).With("rows", rows);
    }
}

/// <summary>Nightly after the roll-up: raw executions older than the retention period go; daily stats stay.</summary>
[DisallowConcurrentExecution]
sealed class RetentionJob(Retention retention) : IJob
{
    public const string Name = "analytics-retention";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var removed = await retention.RemoveExpiredAsync(cancellationToken);
        context.Result = JobRunReport.Succeeded($"removed {removed} raw execution(s)").With("removed", removed);
    }
}

/// <summary>Re-aggregates one project's date range, asked for through `POST /api/v1/analytics/backfill`.</summary>
sealed class BackfillJob(IServiceScopeFactory scopes) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = Guid.Parse(context.MergedJobDataMap.GetString(Backfills.BackfillIdKey)!);
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Backfills>().RunAsync(id, context.IsLastAttempt(), cancellationToken);
        context.Result = JobRunReport.Succeeded($"backfill {id} done");
    }
}

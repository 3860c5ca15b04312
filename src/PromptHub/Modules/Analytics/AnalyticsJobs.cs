using Hangfire;
using Hangfire.Server;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.Analytics;

/// <summary>Nightly (01:00 UTC by default): yesterday, and every earlier day to roll up (again). Never two at once in the cluster.</summary>
[DisableConcurrentExecution(timeoutInSeconds: 10 * 60)]
sealed class DailyRollUpJob(DailyRollUp rollUp) : IRecurringJob
{
    /// <summary>The job's id as ops see it (dashboard, `/api/v1/ops/jobs`): kept from its first release.</summary>
    public const string Name = "analytics-daily-aggregation";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var days = await rollUp.DaysToRollUpAsync(cancellationToken);
        var rows = 0;
        foreach (var day in days) rows += await rollUp.RollUpAsync(day, null, cancellationToken);
        return $"rolled up {days.Count} day(s) into {rows} row(s){(days.Count == 0 ? "" : ": " + string.Join(", ", days.Select(day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))))}";
    }
}

/// <summary>Nightly after the roll-up: raw executions older than the retention period go; daily stats stay.</summary>
[DisableConcurrentExecution(timeoutInSeconds: 10 * 60)]
sealed class RetentionJob(Retention retention) : IRecurringJob
{
    public const string Name = "analytics-retention";

    public async Task<string> RunAsync(CancellationToken cancellationToken) =>
        $"removed {await retention.RemoveExpiredAsync(cancellationToken)} raw execution(s)";
}

/// <summary>Rolls up one project's date range again, asked for through `POST /api/v1/analytics/backfill`.</summary>
sealed class BackfillJob(Backfills backfills)
{
    /// <summary>Hangfire passes the run's context (its attempt) and the server's shutdown token.</summary>
    public async Task<string> RunAsync(Guid backfillId, PerformContext? context, CancellationToken cancellationToken)
    {
        var days = await backfills.RunAsync(backfillId, cancellationToken);
        return $"backfill {backfillId}: rolled up {days} day(s)";
    }
}

using Microsoft.Extensions.Options;
using Npgsql;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// Removes raw executions older than PromptHub:Analytics:RetentionDays, in batches (so no statement
/// holds locks for long). Days before the cutoff still to roll up (never, or again) are rolled up
/// first, so their daily stats survive the raw rows.
/// </summary>
sealed class Retention(NpgsqlDataSource dataSource, DailyRollUp rollUp, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    const int BatchSize = 50_000;

    public async Task<long> RemoveExpiredAsync(CancellationToken ct)
    {
        var cutoff = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-options.Value.RetentionDays);
        foreach (var day in await rollUp.DaysToRollUpBeforeAsync(cutoff, ct)) await rollUp.RollUpAsync(day, null, ct);

        var before = new DateTimeOffset(cutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        long removed = 0;
        int deleted;
        do
        {
            await using var delete = dataSource.CreateCommand("""
                DELETE FROM analytics.executions WHERE ctid IN (
                    SELECT ctid FROM analytics.executions WHERE occurred_at < $1 LIMIT $2)
                """);
            delete.Parameters.AddWithValue(before);
            delete.Parameters.AddWithValue(BatchSize);
            deleted = await delete.ExecuteNonQueryAsync(ct);
            removed += deleted;
        }
        while (deleted == BatchSize);
        return removed;
    }
}

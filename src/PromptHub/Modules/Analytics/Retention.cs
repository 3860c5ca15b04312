using Microsoft.Extensions.Options;
using Npgsql;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// Removes raw executions older than PromptHub:Analytics:RetentionDays, in batches (so no statement
/// holds locks for long). Days before the cutoff that are not rolled up (or marked again) are rolled up
/// first, so their daily stats survive the raw rows.
/// </summary>
sealed class Retention(NpgsqlDataSource dataSource, DailyAggregation aggregation, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    const int BatchSize = 50_000;
    /// <summary>How far before the cutoff unrolled days are looked for (nights the scheduler was down).</summary>
    const int CatchUpDays = 31;

    public async Task<long> RemoveExpiredAsync(CancellationToken ct)
    {
        var cutoff = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-options.Value.RetentionDays);
        foreach (var day in await DaysToRollUpFirstAsync(cutoff, ct)) await aggregation.AggregateAsync(day, null, ct);

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

    /// <summary>Days before the cutoff that have raw rows and are not rolled up, or are marked again.</summary>
    async Task<List<DateOnly>> DaysToRollUpFirstAsync(DateOnly cutoff, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.day FROM generate_series($1::date - $2, $1::date - 1, interval '1 day') AS g(at), LATERAL (SELECT g.at::date AS day) d
            WHERE (NOT EXISTS (SELECT 1 FROM analytics.aggregated_days a WHERE a.day = d.day)
                   OR EXISTS (SELECT 1 FROM analytics.dirty_days m WHERE m.day = d.day))
              AND EXISTS (SELECT 1 FROM analytics.executions e
                          WHERE e.occurred_at >= d.day::timestamp AT TIME ZONE 'UTC' AND e.occurred_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC')
            UNION
            SELECT day FROM analytics.dirty_days WHERE day < $1
            ORDER BY 1
            """);
        command.Parameters.AddWithValue(cutoff);
        command.Parameters.AddWithValue(CatchUpDays);
        var days = new List<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) days.Add(reader.GetFieldValue<DateOnly>(0));
        return days;
    }
}

using Microsoft.Extensions.Options;
using Npgsql;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// Removes raw executions older than PromptHub:Analytics:RetentionDays, a day at a time and in batches
/// (so no statement holds locks for long). A day is rolled up first when it was not (or was marked
/// again), so its daily stats always survive the raw rows.
/// </summary>
sealed class Retention(NpgsqlDataSource dataSource, DailyAggregation aggregation, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    const int BatchSize = 50_000;

    public async Task<long> RemoveExpiredAsync(CancellationToken ct)
    {
        var cutoff = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-options.Value.RetentionDays);
        long removed = 0;
        while (await OldestDayAsync(ct) is { } day && day < cutoff)
        {
            if (!await IsRolledUpAsync(day, ct)) await aggregation.AggregateAsync(day, null, ct);
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            int deleted;
            do
            {
                await using var delete = dataSource.CreateCommand("""
                    DELETE FROM analytics.executions WHERE ctid IN (
                        SELECT ctid FROM analytics.executions WHERE occurred_at >= $1 AND occurred_at < $2 LIMIT $3)
                    """);
                delete.Parameters.AddWithValue(start);
                delete.Parameters.AddWithValue(start.AddDays(1));
                delete.Parameters.AddWithValue(BatchSize);
                deleted = await delete.ExecuteNonQueryAsync(ct);
                removed += deleted;
            }
            while (deleted == BatchSize);
        }
        return removed;
    }

    async Task<DateOnly?> OldestDayAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT (min(occurred_at) AT TIME ZONE 'UTC')::date FROM analytics.executions");
        var value = await command.ExecuteScalarAsync(ct);
        return value is DateOnly day ? day : null;
    }

    async Task<bool> IsRolledUpAsync(DateOnly day, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM analytics.aggregated_days WHERE day = $1)
               AND NOT EXISTS (SELECT 1 FROM analytics.dirty_days WHERE day = $1)
            """);
        command.Parameters.AddWithValue(day);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}

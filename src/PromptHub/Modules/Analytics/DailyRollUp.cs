using System.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// Rolls a UTC day of raw executions up into daily stats with one set-based statement (per project,
/// prompt, version and experiment variant; latency percentiles by percentile_cont). Running it again
/// for a day writes the same rows. Every execution or outcome written for a past day records that day
/// as one to roll up (again); the roll-up reads the day from one snapshot (REPEATABLE READ) and clears
/// only the records that snapshot saw, so a write it could not see keeps its record and is rolled up next time.
/// Raw ADO.NET on purpose: this is the measured path of bench/analytics.sh (10 M executions of a day ≤ 20 s).
/// </summary>
sealed class DailyRollUp(NpgsqlDataSource dataSource, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    /// <summary>How far back days not rolled up are looked for (nights the scheduler was down).</summary>
    const int CatchUpDays = 31;

    const string RollUp = """
        INSERT INTO analytics.daily_stats AS s (project_id, prompt_id, version, experiment, variant, day,
            executions, successes, errors, latency_avg_ms, latency_p50_ms, latency_p95_ms,
            input_tokens, output_tokens, cost_usd, score_sum, score_count, value_sum, value_count)
        SELECT project_id, prompt_id, version, coalesce(experiment, ''), coalesce(variant, ''), $1::date,
            count(*), count(*) FILTER (WHERE success), count(*) FILTER (WHERE error IS NOT NULL),
            avg(latency_ms),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms),
            sum(input_tokens), sum(output_tokens), sum(cost_usd),
            coalesce(sum(score), 0), count(score), coalesce(sum(value), 0), count(value)
        FROM analytics.executions
        WHERE occurred_at >= $2 AND occurred_at < $3 AND ($4::uuid IS NULL OR project_id = $4)
        GROUP BY project_id, prompt_id, version, coalesce(experiment, ''), coalesce(variant, '')
        ON CONFLICT (project_id, prompt_id, version, experiment, variant, day) DO UPDATE SET
            executions = excluded.executions, successes = excluded.successes, errors = excluded.errors,
            latency_avg_ms = excluded.latency_avg_ms, latency_p50_ms = excluded.latency_p50_ms,
            latency_p95_ms = excluded.latency_p95_ms, input_tokens = excluded.input_tokens,
            output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd,
            score_sum = excluded.score_sum, score_count = excluded.score_count,
            value_sum = excluded.value_sum, value_count = excluded.value_count
        """;

    /// <summary>Rolls <paramref name="day"/> up, for every project or only <paramref name="projectId"/>; returns the rows written.</summary>
    public async Task<int> RollUpAsync(DateOnly day, Guid? projectId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One roll-up of a day at a time across the cluster; taken before the snapshot so that it sees
        // everything the previous roll-up committed. The lock's name stays: instances of the last release share it.
        await using (var lockDay = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('prompthub.aggregate'), $1)", connection))
        {
            lockDay.Parameters.AddWithValue(day.DayNumber);
            await lockDay.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            // Enough memory to sort a day's rows in memory (not on disk), and no JIT: on 10 M rows the
            // day's SELECT went from 14.8 s to 9.5 s in EXPLAIN ANALYZE (bench/README.md).
            await using (var settings = new NpgsqlCommand("SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)", connection, transaction))
            {
                settings.Parameters.AddWithValue(options.Value.RollUpWorkMem);
                await settings.ExecuteNonQueryAsync(ct);
            }
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            int rows;
            await using (var rollUp = new NpgsqlCommand(RollUp, connection, transaction) { CommandTimeout = 600 })
            {
                rollUp.Parameters.AddWithValue(day);
                rollUp.Parameters.AddWithValue(new DateTimeOffset(start));
                rollUp.Parameters.AddWithValue(new DateTimeOffset(start.AddDays(1)));
                rollUp.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Uuid, (object?)projectId ?? DBNull.Value);
                rows = await rollUp.ExecuteNonQueryAsync(ct);
            }
            if (projectId is null)
            {
                // The day is rolled up for everyone: analytics read it from the stats from now on, and the
                // days to roll up this snapshot saw are done (one recorded after it is not visible here and stays).
                await using var done = new NpgsqlBatch(connection, transaction)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("""
                            INSERT INTO analytics.aggregated_days (day, aggregated_at) VALUES ($1, $2)
                            ON CONFLICT (day) DO UPDATE SET aggregated_at = excluded.aggregated_at
                            """) { Parameters = { new() { Value = day }, new() { Value = time.GetUtcNow() } } },
                        new NpgsqlBatchCommand("DELETE FROM analytics.dirty_days WHERE day = $1") { Parameters = { new() { Value = day } } },
                    },
                };
                await done.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            return rows;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('prompthub.aggregate'), $1)", connection);
            unlock.Parameters.AddWithValue(day.DayNumber);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The days the nightly run rolls up: yesterday, and every day before today that needs it (<see cref="DaysToRollUpBeforeAsync"/>).</summary>
    public async Task<IReadOnlyList<DateOnly>> DaysToRollUpAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return [.. (await DaysToRollUpBeforeAsync(today, ct)).Append(today.AddDays(-1)).Distinct().Order()];
    }

    /// <summary>
    /// The days before <paramref name="end"/> whose daily stats are missing or out of date: each of the
    /// <see cref="CatchUpDays"/> before it that has executions and was never rolled up, and every day
    /// before it recorded to roll up again. The nightly run and retention (before it removes raw rows) both ask.
    /// </summary>
    public async Task<IReadOnlyList<DateOnly>> DaysToRollUpBeforeAsync(DateOnly end, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.day FROM generate_series($1::date - $2, $1::date - 1, interval '1 day') AS g(at), LATERAL (SELECT g.at::date AS day) d
            WHERE NOT EXISTS (SELECT 1 FROM analytics.aggregated_days r WHERE r.day = d.day)
              AND EXISTS (SELECT 1 FROM analytics.executions e
                          WHERE e.occurred_at >= d.day::timestamp AT TIME ZONE 'UTC' AND e.occurred_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC')
            UNION
            SELECT day FROM analytics.dirty_days WHERE day < $1
            ORDER BY 1
            """);
        command.Parameters.AddWithValue(end);
        command.Parameters.AddWithValue(CatchUpDays);
        var days = new List<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) days.Add(reader.GetFieldValue<DateOnly>(0));
        return days;
    }
}

using Npgsql;

namespace PromptHub.Modules.Analytics;

/// <summary>The numbers of one version (or prompt) over one day or a whole range.</summary>
public sealed record Metrics(
    long Executions, long Successes, double SuccessRate, long Errors, double ErrorRate,
    double? LatencyAvgMs, double? LatencyP50Ms, double? LatencyP95Ms,
    long InputTokens, long OutputTokens, decimal CostUsd,
    double? AvgScore, long ScoreCount, double? AvgValue, long ValueCount);

public sealed record DayMetrics(DateOnly Day, Metrics Metrics);
public sealed record VersionAnalytics(int Version, Metrics Totals, IReadOnlyList<DayMetrics> Series);
public sealed record PromptAnalytics(string Name, DateOnly From, DateOnly To, string Granularity, IReadOnlyList<VersionAnalytics> Versions);

public sealed record PromptOverview(string Name, Metrics Metrics);
public sealed record AnalyticsOverview(DateOnly From, DateOnly To, Metrics Totals, IReadOnlyList<PromptOverview> Prompts);

/// <summary>
/// Reads analytics: days rolled up and not marked since come from the daily stats; every other day in
/// the range (today, and any day not rolled up yet or marked again) is computed from the raw executions
/// with the same definitions, so today's numbers are live and nothing is counted twice.
/// </summary>
sealed class AnalyticsQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Per (group, day): the sums every metric is derived from. {0} is the grouping column of each side.</summary>
    const string DaySums = """
        WITH clean AS (
            SELECT a.day FROM analytics.aggregated_days a
            WHERE a.day BETWEEN $2 AND $3 AND NOT EXISTS (SELECT 1 FROM analytics.dirty_days d WHERE d.day = a.day)
        )
        SELECT {0} AS key, day, sum(executions)::bigint, sum(successes)::bigint, sum(errors)::bigint,
            sum(latency_avg_ms * executions), sum(latency_p50_ms * executions), sum(latency_p95_ms * executions),
            sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost_usd), sum(score_sum), sum(score_count)::bigint,
            sum(value_sum), sum(value_count)::bigint
        FROM analytics.daily_stats
        WHERE project_id = $1 AND ($4::uuid IS NULL OR prompt_id = $4) AND day IN (SELECT day FROM clean)
        GROUP BY 1, 2
        UNION ALL
        SELECT {1} AS key, (occurred_at AT TIME ZONE 'UTC')::date AS day, count(*), count(*) FILTER (WHERE success),
            count(*) FILTER (WHERE error IS NOT NULL),
            sum(latency_ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) * count(*),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) * count(*),
            sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost_usd), coalesce(sum(score), 0), count(score),
            coalesce(sum(value), 0), count(value)
        FROM analytics.executions
        WHERE project_id = $1 AND ($4::uuid IS NULL OR prompt_id = $4) AND occurred_at >= $5 AND occurred_at < $6
            AND (occurred_at AT TIME ZONE 'UTC')::date NOT IN (SELECT day FROM clean)
        GROUP BY 1, 2
        """;

    public async Task<PromptAnalytics> ForPromptAsync(Guid projectId, Guid promptId, string name, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var rows = await ReadAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, DaySums, "version", "version"),
            projectId, promptId, from, to, ct);
        var versions = rows.GroupBy(r => (int)r.Key)
            .OrderByDescending(g => g.Key)
            .Select(g => new VersionAnalytics(g.Key, Sums.Total(g.Select(r => r.Sums)).ToMetrics(),
                g.OrderBy(r => r.Day).Select(r => new DayMetrics(r.Day, r.Sums.ToMetrics())).ToList()))
            .ToList();
        return new PromptAnalytics(name, from, to, "day", versions);
    }

    public async Task<AnalyticsOverview> OverviewAsync(Guid projectId, DateOnly from, DateOnly to, int top, CancellationToken ct)
    {
        var rows = await ReadAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, DaySums, "prompt_id", "prompt_id"),
            projectId, null, from, to, ct);
        var byPrompt = rows.GroupBy(r => (Guid)r.Key).Select(g => (PromptId: g.Key, Sums: Sums.Total(g.Select(r => r.Sums)))).ToList();
        var names = await NamesAsync(byPrompt.Select(p => p.PromptId).ToArray(), ct);
        var prompts = byPrompt.OrderByDescending(p => p.Sums.Executions).ThenBy(p => names.GetValueOrDefault(p.PromptId), StringComparer.Ordinal)
            .Take(top)
            .Select(p => new PromptOverview(names.GetValueOrDefault(p.PromptId, "(unknown)"), p.Sums.ToMetrics()))
            .ToList();
        return new AnalyticsOverview(from, to, Sums.Total(byPrompt.Select(p => p.Sums)).ToMetrics(), prompts);
    }

    async Task<List<(object Key, DateOnly Day, Sums Sums)>> ReadAsync(string sql, Guid projectId, Guid? promptId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(projectId);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Uuid, (object?)promptId ?? DBNull.Value);
        command.Parameters.AddWithValue(new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
        command.Parameters.AddWithValue(new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
        var rows = new List<(object, DateOnly, Sums)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetValue(0), reader.GetFieldValue<DateOnly>(1), new Sums(
                reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                Double(reader, 5), Double(reader, 6), Double(reader, 7),
                reader.GetInt64(8), reader.GetInt64(9), reader.IsDBNull(10) ? 0 : reader.GetDecimal(10),
                Double(reader, 11), reader.GetInt64(12), Double(reader, 13), reader.GetInt64(14))));
        }
        return rows;
    }

    static double Double(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? 0 : reader.GetDouble(column);

    async Task<Dictionary<Guid, string>> NamesAsync(Guid[] promptIds, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT id, name FROM prompts.prompts WHERE id = ANY($1)");
        command.Parameters.AddWithValue(promptIds);
        var names = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names[reader.GetGuid(0)] = reader.GetString(1);
        return names;
    }

    /// <summary>
    /// Additive sums: latency average and percentiles are carried weighted by count, so that days (and
    /// variants) combine. A range's p50/p95 is therefore the count-weighted mean of the daily values.
    /// </summary>
    sealed record Sums(long Executions, long Successes, long Errors, double LatencySum, double P50Weighted, double P95Weighted,
        long InputTokens, long OutputTokens, decimal CostUsd, double ScoreSum, long ScoreCount, double ValueSum, long ValueCount)
    {
        public static Sums Total(IEnumerable<Sums> parts) => parts.Aggregate(
            new Sums(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            (a, b) => new Sums(a.Executions + b.Executions, a.Successes + b.Successes, a.Errors + b.Errors,
                a.LatencySum + b.LatencySum, a.P50Weighted + b.P50Weighted, a.P95Weighted + b.P95Weighted,
                a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens, a.CostUsd + b.CostUsd,
                a.ScoreSum + b.ScoreSum, a.ScoreCount + b.ScoreCount, a.ValueSum + b.ValueSum, a.ValueCount + b.ValueCount));

        public Metrics ToMetrics()
        {
            double? PerExecution(double sum) => Executions == 0 ? null : Math.Round(sum / Executions, 3);
            return new Metrics(Executions, Successes,
                Executions == 0 ? 0 : Math.Round((double)Successes / Executions, 4), Errors,
                Executions == 0 ? 0 : Math.Round((double)Errors / Executions, 4),
                PerExecution(LatencySum), PerExecution(P50Weighted), PerExecution(P95Weighted),
                InputTokens, OutputTokens, CostUsd,
                ScoreCount == 0 ? null : Math.Round(ScoreSum / ScoreCount, 4), ScoreCount,
                ValueCount == 0 ? null : Math.Round(ValueSum / ValueCount, 4), ValueCount);
        }
    }
}

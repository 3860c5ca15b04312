using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

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
/// Reads analytics: days rolled up and not to roll up again come from the daily stats; every other day in
/// the range (today, and any day not rolled up yet or to roll up again) is computed from the raw executions
/// with the same definitions, so today's numbers are live and nothing is counted twice.
/// </summary>
sealed class AnalyticsQueries(PromptHubDb db, IPromptNames promptNames)
{
    /// <summary>
    /// Per (key, day): the sums every metric is derived from, read by column name into <see cref="DaySums{TKey}"/>.
    /// `{key}` is the grouping column (version or prompt_id); {0}…{5} are the parameters of <see cref="ReadAsync"/>.
    /// </summary>
    const string DaySumsSql = """
        WITH rolled_up AS (
            SELECT r.day FROM analytics.aggregated_days r
            WHERE r.day BETWEEN {1} AND {2} AND NOT EXISTS (SELECT 1 FROM analytics.dirty_days d WHERE d.day = r.day)
        )
        SELECT {key} AS key, day, sum(executions)::bigint AS executions, sum(successes)::bigint AS successes, sum(errors)::bigint AS errors,
            sum(latency_avg_ms * executions) AS latency_sum, sum(latency_p50_ms * executions) AS latency_p50_sum,
            sum(latency_p95_ms * executions) AS latency_p95_sum,
            sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens, sum(cost_usd) AS cost_usd,
            sum(score_sum) AS score_sum, sum(score_count)::bigint AS score_count,
            sum(value_sum) AS value_sum, sum(value_count)::bigint AS value_count
        FROM analytics.daily_stats
        WHERE project_id = {0} AND ({3}::uuid IS NULL OR prompt_id = {3}) AND day IN (SELECT day FROM rolled_up)
        GROUP BY 1, 2
        UNION ALL
        SELECT {key} AS key, (occurred_at AT TIME ZONE 'UTC')::date AS day, count(*), count(*) FILTER (WHERE success),
            count(*) FILTER (WHERE error IS NOT NULL),
            sum(latency_ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) * count(*),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) * count(*),
            sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost_usd), coalesce(sum(score), 0), count(score),
            coalesce(sum(value), 0), count(value)
        FROM analytics.executions
        WHERE project_id = {0} AND ({3}::uuid IS NULL OR prompt_id = {3}) AND occurred_at >= {4} AND occurred_at < {5}
            AND (occurred_at AT TIME ZONE 'UTC')::date NOT IN (SELECT day FROM rolled_up)
        GROUP BY 1, 2
        """;

    public async Task<PromptAnalytics> ForPromptAsync(Guid projectId, Guid promptId, string name, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var rows = await ReadAsync<int>("version", projectId, promptId, from, to, ct);
        var versions = rows.GroupBy(r => r.Key)
            .OrderByDescending(g => g.Key)
            .Select(g => new VersionAnalytics(g.Key, Sums.Total(g.Select(r => r.ToSums())).ToMetrics(),
                g.OrderBy(r => r.Day).Select(r => new DayMetrics(r.Day, r.ToSums().ToMetrics())).ToList()))
            .ToList();
        return new PromptAnalytics(name, from, to, "day", versions);
    }

    public async Task<AnalyticsOverview> OverviewAsync(Guid projectId, DateOnly from, DateOnly to, int top, CancellationToken ct)
    {
        var rows = await ReadAsync<Guid>("prompt_id", projectId, null, from, to, ct);
        var byPrompt = rows.GroupBy(r => r.Key).Select(g => (PromptId: g.Key, Sums: Sums.Total(g.Select(r => r.ToSums())))).ToList();
        var names = await promptNames.NamesAsync(projectId, byPrompt.Select(p => p.PromptId).ToArray(), ct);
        var prompts = byPrompt.OrderByDescending(p => p.Sums.Executions).ThenBy(p => names.GetValueOrDefault(p.PromptId), StringComparer.Ordinal)
            .Take(top)
            .Select(p => new PromptOverview(names.GetValueOrDefault(p.PromptId, "(unknown)"), p.Sums.ToMetrics()))
            .ToList();
        return new AnalyticsOverview(from, to, Sums.Total(byPrompt.Select(p => p.Sums)).ToMetrics(), prompts);
    }

    /// <param name="keyColumn">`version` or `prompt_id`: a constant of this class, never input.</param>
    async Task<List<DaySums<TKey>>> ReadAsync<TKey>(string keyColumn, Guid projectId, Guid? promptId, DateOnly from, DateOnly to, CancellationToken ct) =>
        await db.Database.SqlQueryRaw<DaySums<TKey>>(DaySumsSql.Replace("{key}", keyColumn, StringComparison.Ordinal),
                projectId, from, to,
                new NpgsqlParameter("prompt_id", NpgsqlDbType.Uuid) { Value = (object?)promptId ?? DBNull.Value },
                new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
                new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)))
            .ToListAsync(ct);

    /// <summary>One row of <see cref="DaySumsSql"/>, by column name (snake_case of each property).</summary>
    sealed record DaySums<TKey>(TKey Key, DateOnly Day, long Executions, long Successes, long Errors,
        double? LatencySum,
        // The naming convention would write latency_p50sum.
        [property: Column("latency_p50_sum")] double? LatencyP50Sum, [property: Column("latency_p95_sum")] double? LatencyP95Sum, long InputTokens, long OutputTokens, decimal? CostUsd,
        double? ScoreSum, long ScoreCount, double? ValueSum, long ValueCount)
    {
        public Sums ToSums() => new(Executions, Successes, Errors, LatencySum ?? 0, LatencyP50Sum ?? 0, LatencyP95Sum ?? 0,
            InputTokens, OutputTokens, CostUsd ?? 0, ScoreSum ?? 0, ScoreCount, ValueSum ?? 0, ValueCount);
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

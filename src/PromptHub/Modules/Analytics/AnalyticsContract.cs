namespace PromptHub.Modules.Analytics;

// What other modules may use of the Analytics module: this file, nothing else.

/// <summary>Count, mean and sample standard deviation of one metric (null where there are too few values).</summary>
public sealed record Moments(long N, double? Mean, double? Sd);

/// <summary>What one variant's executions add up to: the sufficient statistics of experiment results.</summary>
public sealed record VariantTotals(string Variant, long Executions, long Subjects, long Successes,
    Moments Score, Moments LatencyMs, Moments Tokens, Moments CostUsd);

/// <param name="ReportedLater">Executions reported after the cut-off: stored, but not in <paramref name="Variants"/>.</param>
public sealed record ExperimentTotals(IReadOnlyList<VariantTotals> Variants, long ReportedLater);

/// <summary>What the Analytics module publishes for experiment results: an experiment's executions, per variant.</summary>
public interface IExperimentExecutions
{
    /// <summary>The totals of executions reported up to <paramref name="reportedUntil"/> (all of them when null).</summary>
    Task<ExperimentTotals> TotalsAsync(Guid projectId, Guid promptId, string experiment, DateTimeOffset? reportedUntil, CancellationToken ct);
}

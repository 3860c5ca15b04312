using PromptHub.Modules.Analytics;
using PromptHub.Modules.Prompts;

using PromptHub.Platform;

namespace PromptHub.Modules.Experiments;

public sealed record MetricSummary(long N, double? Mean, double? Sd);

/// <summary>A treatment against the control on one metric; <see cref="AdjustedPValue"/> only on the primary metric.</summary>
public sealed record MetricComparison(double Difference, Interval? DifferenceCi, double? Lift, Interval? LiftCi, double? PValue,
    double? AdjustedPValue, double? DegreesOfFreedom, double? ChanceToBeatControl);

public sealed record VariantComparisons(MetricComparison? SuccessRate, MetricComparison? Score, MetricComparison? LatencyMs,
    MetricComparison? Tokens, MetricComparison? CostUsd);

public sealed record VariantResult(string Name, int Version, int Weight, bool Control, long Executions, long Subjects, long Successes,
    double? SuccessRate, MetricSummary Score, MetricSummary LatencyMs, MetricSummary Tokens, MetricSummary CostUsd, VariantComparisons? VsControl);

/// <summary>The sample-ratio test; <see cref="Flagged"/> when p &lt; 0.001 with at least 8 subjects in every variant.</summary>
public sealed record SampleRatioView(double ChiSquare, int DegreesOfFreedom, double PValue, bool Flagged);

public sealed record ExperimentResultsView(string Key, string Status, string PrimaryMetric, int MinSamplesPerVariant, double Alpha,
    string Decision, string DecisionReason, SampleRatioView? SampleRatio, long ExcludedAfterStop, IReadOnlyList<VariantResult> Variants);

/// <summary>
/// Results of an experiment from its per-variant totals: every variant's numbers, each treatment against
/// the control, the sample-ratio test and the decision (rule in the README, "Experiments").
/// </summary>
public static class ExperimentResults
{
    public const double SrmThreshold = 0.001;
    public const int SrmMinSubjects = 8;

    public static ExperimentResultsView Build(Experiment experiment, ExperimentTotals totals, double alpha)
    {
        var byName = totals.Variants.ToDictionary(t => t.Variant, StringComparer.Ordinal);
        var empty = new Moments(0, null, null);
        var rows = experiment.Variants
            .Select(v => (Variant: v, Totals: byName.GetValueOrDefault(v.Name) ?? new VariantTotals(v.Name, 0, 0, 0, empty, empty, empty, empty)))
            .ToList();
        var control = rows[0].Totals;
        var treatments = rows.Skip(1).Select(r => Compare(r.Totals, control)).ToList();

        // Holm across the treatments, on the primary metric only.
        var adjusted = ExperimentStatistics.Holm([.. treatments.Select(c => Primary(c, experiment.PrimaryMetric)?.PValue)]);
        for (var i = 0; i < treatments.Count; i++)
        {
            if (Primary(treatments[i], experiment.PrimaryMetric) is { } primary)
            {
                treatments[i] = WithPrimary(treatments[i], experiment.PrimaryMetric, primary with { AdjustedPValue = adjusted[i] });
            }
        }

        var variants = rows.Select((r, i) => new VariantResult(r.Variant.Name, r.Variant.Version, r.Variant.Weight, i == 0,
            r.Totals.Executions, r.Totals.Subjects, r.Totals.Successes,
            r.Totals.Executions == 0 ? null : (double)r.Totals.Successes / r.Totals.Executions,
            Summary(r.Totals.Score), Summary(r.Totals.LatencyMs), Summary(r.Totals.Tokens), Summary(r.Totals.CostUsd),
            i == 0 ? null : treatments[i - 1])).ToList();

        // A rollout whose share changed moved subjects between variants on purpose: no ratio to test.
        var srm = experiment.WeightSets().Count() > 1
            ? null
            : ExperimentStatistics.SampleRatioMismatch([.. rows.Select(r => r.Totals.Subjects)], [.. rows.Select(r => r.Variant.Weight)]);
        var srmView = srm is null
            ? null
            : new SampleRatioView(srm.ChiSquare, srm.DegreesOfFreedom, srm.PValue,
                srm.PValue < SrmThreshold && rows.Where(r => r.Variant.Weight > 0).All(r => r.Totals.Subjects >= SrmMinSubjects));

        var (decision, reason) = Decide(experiment, variants, srmView, alpha);
        return new ExperimentResultsView(experiment.Key, EnumText.Lower(experiment.Status), Camel(experiment.PrimaryMetric), experiment.MinSamplesPerVariant, alpha,
            decision, reason, srmView, totals.ReportedLater, variants);
    }

    /// <summary>
    /// In this order: a variant short of samples on the primary metric → insufficient_data; a flagged sample
    /// ratio → srm_detected; a treatment better than the control at Holm-adjusted p &lt; alpha → ship:&lt;the most
    /// likely to beat it&gt;; one worse → rollback; else keep_running.
    /// </summary>
    static (string Decision, string Reason) Decide(Experiment experiment, List<VariantResult> variants, SampleRatioView? srm, double alpha)
    {
        var metric = experiment.PrimaryMetric;
        foreach (var variant in variants)
        {
            var samples = metric == ExperimentMetric.Score ? variant.Score.N : variant.Executions;
            if (samples < experiment.MinSamplesPerVariant)
            {
                return ("insufficient_data", $"Variant '{variant.Name}' has {samples} of the {experiment.MinSamplesPerVariant} {(metric == ExperimentMetric.Score ? "scored executions" : "executions")} needed.");
            }
        }
        if (srm is { Flagged: true })
        {
            return ("srm_detected", $"The subjects per variant do not match the weights (sample-ratio p = {srm.PValue:G3} < {SrmThreshold}): assignment or reporting is broken; the comparisons cannot be trusted.");
        }
        var lowerIsBetter = LowerIsBetter(metric);
        var significant = variants.Skip(1)
            .Select(v => (Variant: v, Comparison: Primary(v.VsControl!, metric)))
            .Where(t => t.Comparison is { AdjustedPValue: { } p } && p < alpha)
            .ToList();
        var better = significant.Where(t => t.Comparison!.Difference < 0 == lowerIsBetter && t.Comparison.Difference != 0)
            .OrderByDescending(t => t.Comparison!.ChanceToBeatControl ?? 0).ThenByDescending(t => Math.Abs(t.Comparison!.Difference)).ToList();
        if (better.Count > 0)
        {
            var best = better[0];
            return ($"ship:{best.Variant.Name}", $"'{best.Variant.Name}' beats the control on {Camel(metric)} (adjusted p = {best.Comparison!.AdjustedPValue:G3} < {alpha}).");
        }
        if (significant.Count > 0)
        {
            var worst = significant[0];
            return ("rollback", $"'{worst.Variant.Name}' is worse than the control on {Camel(metric)} (adjusted p = {worst.Comparison!.AdjustedPValue:G3} < {alpha}) and no variant is better.");
        }
        return ("keep_running", $"No variant differs from the control on {Camel(metric)} at adjusted p < {alpha} yet.");
    }

    static VariantComparisons Compare(VariantTotals treatment, VariantTotals control) => new(
        treatment.Executions > 0 && control.Executions > 0
            ? From(ExperimentStatistics.Rates(treatment.Successes, treatment.Executions, control.Successes, control.Executions))
            : null,
        Means(treatment.Score, control.Score, lowerIsBetter: false),
        Means(treatment.LatencyMs, control.LatencyMs, lowerIsBetter: true),
        Means(treatment.Tokens, control.Tokens, lowerIsBetter: true),
        Means(treatment.CostUsd, control.CostUsd, lowerIsBetter: true));

    static MetricComparison? Means(Moments treatment, Moments control, bool lowerIsBetter) =>
        treatment.Mean is { } mt && control.Mean is { } mc
            ? From(ExperimentStatistics.Means(mt, treatment.Sd ?? 0, treatment.N, mc, control.Sd ?? 0, control.N, lowerIsBetter))
            : null;

    static MetricComparison From(Comparison c) =>
        new(c.Difference, c.DifferenceCi, c.Lift, c.LiftCi, c.PValue, null, c.DegreesOfFreedom, c.ChanceToBeatControl);

    static MetricComparison? Primary(VariantComparisons comparisons, ExperimentMetric metric) => metric switch
    {
        ExperimentMetric.SuccessRate => comparisons.SuccessRate,
        ExperimentMetric.Score => comparisons.Score,
        ExperimentMetric.LatencyMs => comparisons.LatencyMs,
        ExperimentMetric.Tokens => comparisons.Tokens,
        _ => comparisons.CostUsd,
    };

    static VariantComparisons WithPrimary(VariantComparisons comparisons, ExperimentMetric metric, MetricComparison primary) => metric switch
    {
        ExperimentMetric.SuccessRate => comparisons with { SuccessRate = primary },
        ExperimentMetric.Score => comparisons with { Score = primary },
        ExperimentMetric.LatencyMs => comparisons with { LatencyMs = primary },
        ExperimentMetric.Tokens => comparisons with { Tokens = primary },
        _ => comparisons with { CostUsd = primary },
    };

    /// <summary>Latency, tokens and cost are better lower; success rate and score higher.</summary>
    public static bool LowerIsBetter(ExperimentMetric metric) => metric is ExperimentMetric.LatencyMs or ExperimentMetric.Tokens or ExperimentMetric.CostUsd;

    static MetricSummary Summary(Moments moments) => new(moments.N, moments.Mean, moments.Sd);

    public static string Camel(ExperimentMetric metric) => char.ToLowerInvariant(metric.ToString()[0]) + metric.ToString()[1..];
}

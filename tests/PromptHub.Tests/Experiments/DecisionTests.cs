using PromptHub.Modules.Analytics;
using PromptHub.Modules.Experiments;

namespace PromptHub.Tests.Experiments;

/// <summary>
/// The decision rule of results, on totals made up for each rule. The p-values these rest on are the
/// SciPy reference values of ExperimentStatisticsTests (reference_values.py).
/// </summary>
public sealed class DecisionTests
{
    static Experiment Definition(ExperimentMetric metric = ExperimentMetric.SuccessRate, int minSamples = 100, params (string Name, int Weight)[] variants) =>
        Experiment.Create(Guid.NewGuid(), "decide", ExperimentKind.Experiment, Guid.NewGuid(), "p", "production", null, "decide", metric, minSamples,
            [.. (variants.Length == 0 ? [("control", 50), ("b", 50)] : variants).Select((v, i) => new ExperimentVariant(v.Name, i + 1, v.Weight))],
            "admin", DateTimeOffset.UtcNow);

    static VariantTotals Rates(string name, long successes, long n, long? subjects = null) =>
        new(name, n, subjects ?? n, successes, new Moments(0, null, null), new Moments(n, 100, 10), new Moments(n, 30, 5), new Moments(n, 0.001, 0.0001));

    static VariantTotals Latency(string name, double mean, double sd, long n) =>
        new(name, n, n, n, new Moments(n, 0.5, 0.1), new Moments(n, mean, sd), new Moments(n, 30, 5), new Moments(n, 0.001, 0.0001));

    static ExperimentResultsView Decide(Experiment experiment, params VariantTotals[] totals) =>
        ExperimentResults.Build(experiment, new ExperimentTotals(totals, 0), alpha: 0.05);

    [Fact]
    public void A_variant_below_the_minimum_samples_means_insufficient_data()
    {
        var result = Decide(Definition(), Rates("control", 12, 99), Rates("b", 150, 1000));
        Assert.Equal("insufficient_data", result.Decision);
        Assert.Contains("'control' has 99 of the 100", result.DecisionReason, StringComparison.Ordinal);
        // A variant with no executions at all is short too.
        Assert.Equal("insufficient_data", Decide(Definition(), Rates("control", 120, 1000)).Decision);
    }

    [Fact]
    public void With_score_as_the_primary_metric_only_scored_executions_count_as_samples()
    {
        var unscored = Rates("control", 120, 1000);
        var result = Decide(Definition(ExperimentMetric.Score), unscored, unscored with { Variant = "b" });
        Assert.Equal("insufficient_data", result.Decision);
        Assert.Contains("scored executions", result.DecisionReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sample_ratio_mismatch_is_detected_before_any_comparison()
    {
        // 5000 vs 5400 subjects at 50/50: chi-square (200² + 200²) / 5200 = 15.38, p ≈ 8.8e-5 < 0.001.
        var result = Decide(Definition(), Rates("control", 600, 5000), Rates("b", 900, 5400));
        Assert.Equal("srm_detected", result.Decision);
        Assert.True(result.SampleRatio!.Flagged);
        Assert.Equal(400.0 * 400 / 2 / 5200, result.SampleRatio.ChiSquare, 9);
    }

    [Fact]
    public void A_mismatch_with_fewer_than_8_subjects_in_a_variant_is_not_flagged()
    {
        // p is tiny (5 vs 200 subjects), but 5 subjects are too few for the chi-square approximation.
        var result = Decide(Definition(), Rates("control", 120, 1000, subjects: 5), Rates("b", 150, 1000, subjects: 200));
        Assert.True(result.SampleRatio!.PValue < 0.001);
        Assert.False(result.SampleRatio.Flagged);
        Assert.Equal("ship:b", result.Decision);
    }

    [Fact]
    public void A_treatment_significantly_better_is_shipped()
    {
        // 150/1000 vs 120/1000: pooled z-test p = 0.0496 < 0.05 (SciPy reference).
        var result = Decide(Definition(), Rates("control", 120, 1000), Rates("b", 150, 1000));
        Assert.Equal("ship:b", result.Decision);
        Assert.Equal(0.04964038686536878, result.Variants[1].VsControl!.SuccessRate!.AdjustedPValue!.Value, 9);
        Assert.Null(result.Variants[1].VsControl!.LatencyMs!.AdjustedPValue); // adjusted on the primary metric only
        Assert.Null(result.Variants[0].VsControl);
    }

    [Fact]
    public void A_treatment_significantly_worse_with_none_better_means_rollback()
    {
        var result = Decide(Definition(), Rates("control", 150, 1000), Rates("b", 120, 1000));
        Assert.Equal("rollback", result.Decision);
    }

    [Fact]
    public void No_significant_difference_means_keep_running()
    {
        // 48/400 vs 61/410: p = 0.23 (SciPy reference).
        Assert.Equal("keep_running", Decide(Definition(), Rates("control", 61, 410), Rates("b", 48, 400)).Decision);
    }

    [Fact]
    public void Holm_across_treatments_can_withhold_a_ship_a_single_test_would_allow()
    {
        // b alone: p = 0.0496 → ship. Beside c (p ≈ 0.95), Holm doubles the smallest: 0.099 → keep running.
        var experiment = Definition(ExperimentMetric.SuccessRate, 100, ("control", 34), ("b", 33), ("c", 33));
        var result = Decide(experiment, Rates("control", 120, 1000), Rates("b", 150, 1000), Rates("c", 121, 1000));
        Assert.Equal(2 * 0.04964038686536878, result.Variants[1].VsControl!.SuccessRate!.AdjustedPValue!.Value, 9);
        Assert.Equal("keep_running", result.Decision);
    }

    [Fact]
    public void On_latency_lower_is_better()
    {
        // 812 ms (sd 240, n 500) vs 870 ms (sd 260, n 480): Welch p = 0.0003 (SciPy reference).
        var faster = Decide(Definition(ExperimentMetric.LatencyMs), Latency("control", 870, 260, 480), Latency("b", 812, 240, 500));
        Assert.Equal("ship:b", faster.Decision);
        Assert.True(faster.Variants[1].VsControl!.LatencyMs!.ChanceToBeatControl > 0.999);
        var slower = Decide(Definition(ExperimentMetric.LatencyMs), Latency("control", 812, 240, 500), Latency("b", 870, 260, 480));
        Assert.Equal("rollback", slower.Decision);
        Assert.True(slower.Variants[1].VsControl!.LatencyMs!.ChanceToBeatControl < 0.001);
    }

    [Fact]
    public void Of_several_better_treatments_the_one_most_likely_to_beat_the_control_is_shipped()
    {
        var experiment = Definition(ExperimentMetric.SuccessRate, 100, ("control", 34), ("b", 33), ("c", 33));
        var result = Decide(experiment, Rates("control", 120, 1000), Rates("b", 170, 1000), Rates("c", 200, 1000));
        Assert.Equal("ship:c", result.Decision);
    }
}

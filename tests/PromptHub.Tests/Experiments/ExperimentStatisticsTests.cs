using PromptHub.Modules.Experiments;

namespace PromptHub.Tests.Experiments;

/// <summary>
/// Every formula against values computed independently with SciPy 1.10.1: the script
/// tests/PromptHub.Tests/Experiments/reference_values.py prints each expected number (its line is
/// named in each test). Holm's adjustment is worked out by hand in its test.
/// </summary>
public sealed class ExperimentStatisticsTests
{
    const int Digits = 9;

    [Fact]
    public void Rates_difference_has_the_unpooled_95_percent_interval()
    {
        // reference_values.py, "rates 150/1000 vs 120/1000": diff, ci
        var result = ExperimentStatistics.Rates(150, 1000, 120, 1000);
        Assert.Equal(0.03, result.Difference, Digits);
        Assert.Equal(7.602882129778554e-05, result.DifferenceCi!.Low, Digits);
        Assert.Equal(0.05992397117870221, result.DifferenceCi.High, Digits);
    }

    [Fact]
    public void Rates_p_value_is_the_pooled_two_proportion_z_test()
    {
        // reference_values.py: "pooled z=1.963049807622355 p=0.04964038686536878" and, for 48/400 vs 61/410, p=0.2301295965812905
        Assert.Equal(0.04964038686536878, ExperimentStatistics.Rates(150, 1000, 120, 1000).PValue!.Value, Digits);
        Assert.Equal(0.2301295965812905, ExperimentStatistics.Rates(48, 400, 61, 410).PValue!.Value, Digits);
    }

    [Fact]
    public void Rates_relative_lift_has_the_delta_method_interval()
    {
        // reference_values.py: lift and its ci, for both rate cases
        var better = ExperimentStatistics.Rates(150, 1000, 120, 1000);
        Assert.Equal(0.25, better.Lift!.Value, Digits);
        Assert.Equal(-0.029337846156494596, better.LiftCi!.Low, Digits);
        Assert.Equal(0.5293378461564946, better.LiftCi.High, Digits);
        var worse = ExperimentStatistics.Rates(48, 400, 61, 410);
        Assert.Equal(-0.1934426229508197, worse.Lift!.Value, Digits);
        Assert.Equal(-0.47749750654128625, worse.LiftCi!.Low, Digits);
        Assert.Equal(0.09061226063964684, worse.LiftCi.High, Digits);
    }

    [Fact]
    public void Rates_chance_to_beat_is_the_exact_Beta_posterior_comparison()
    {
        // reference_values.py: "chance to beat" by numerical integration of pdf_t · cdf_c over [0, 1]
        Assert.Equal(0.9750678368121447, ExperimentStatistics.Rates(150, 1000, 120, 1000).ChanceToBeatControl!.Value, Digits);
        Assert.Equal(0.1161084070836621, ExperimentStatistics.Rates(48, 400, 61, 410).ChanceToBeatControl!.Value, Digits);
    }

    [Theory]
    // reference_values.py, "beta P(Beta(a,b) > Beta(c,d))"; 53/70 is also the exact fraction for Beta(3,2) vs Beta(2,3)
    [InlineData(3, 2, 2, 3, 0.7571428571428571)]
    [InlineData(1, 1, 1, 1, 0.5)]
    [InlineData(11, 91, 31, 71, 0.00018886567537225874)]
    [InlineData(2001, 8001, 1951, 8051, 0.8127229804964802)]
    public void Chance_to_beat_is_exact_whichever_parameter_is_smallest(long at, long bt, long ac, long bc, double expected)
    {
        Assert.Equal(expected, ExperimentStatistics.ChanceToBeat(at, bt, ac, bc), Digits);
        // And the complement, with the roles swapped.
        Assert.Equal(1 - expected, ExperimentStatistics.ChanceToBeat(ac, bc, at, bt), Digits);
    }

    [Fact]
    public void Means_use_Welchs_t_test_with_its_degrees_of_freedom()
    {
        // reference_values.py, "means 0.72,0.21,240 vs 0.68,0.25,260": scipy.stats.ttest_ind_from_stats(equal_var=False)
        var result = ExperimentStatistics.Means(0.72, 0.21, 240, 0.68, 0.25, 260, lowerIsBetter: false);
        Assert.Equal(0.04, result.Difference, Digits);
        Assert.Equal(493.68916289146995, result.DegreesOfFreedom!.Value, 6);
        Assert.Equal(0.05267355817878549, result.PValue!.Value, Digits);
        Assert.Equal(-0.00046373427180340654, result.DifferenceCi!.Low, Digits);
        Assert.Equal(0.08046373427180326, result.DifferenceCi.High, Digits);
    }

    [Fact]
    public void Means_relative_lift_has_the_delta_method_interval_and_chance_to_beat_the_normal_approximation()
    {
        // reference_values.py, same case: lift, its ci, and Φ(t)
        var result = ExperimentStatistics.Means(0.72, 0.21, 240, 0.68, 0.25, 260, lowerIsBetter: false);
        Assert.Equal(0.0588235294117645, result.Lift!.Value, Digits);
        Assert.Equal(-0.002539475444214394, result.LiftCi!.Low, Digits);
        Assert.Equal(0.1201865342677434, result.LiftCi.High, Digits);
        Assert.Equal(0.9739473908464445, result.ChanceToBeatControl!.Value, Digits);
    }

    [Fact]
    public void For_latency_and_cost_beating_the_control_means_being_lower()
    {
        // reference_values.py, "means 812.0,240.0,500 vs 870.0,260.0,480" (lower is better: Φ(−t))
        var result = ExperimentStatistics.Means(812, 240, 500, 870, 260, 480, lowerIsBetter: true);
        Assert.Equal(-58, result.Difference, Digits);
        Assert.Equal(963.981301901753, result.DegreesOfFreedom!.Value, 6);
        Assert.Equal(0.00030435190556974995, result.PValue!.Value, Digits);
        Assert.Equal(-89.40089108541281, result.DifferenceCi!.Low, 7);
        Assert.Equal(-26.59910891458719, result.DifferenceCi.High, 7);
        Assert.Equal(-0.10141301392118832, result.LiftCi!.Low, Digits);
        Assert.Equal(-0.03192031941214499, result.LiftCi.High, Digits);
        Assert.Equal(0.9998553872905852, result.ChanceToBeatControl!.Value, Digits);
    }

    [Theory]
    // reference_values.py, "srm …": scipy.stats.chisquare(observed, expected)
    [InlineData(new long[] { 5000, 5300 }, new[] { 50, 50 }, 8.737864077669903, 1, 0.003116693839866867)]
    [InlineData(new long[] { 2100, 2900, 5000 }, new[] { 20, 30, 50 }, 8.333333333333334, 2, 0.015503853599009307)]
    [InlineData(new long[] { 1900, 3000, 5100 }, new[] { 20, 30, 50 }, 7.0, 2, 0.0301973834223185)]
    public void Sample_ratio_mismatch_is_a_chi_square_test_of_subjects_against_the_weights(long[] subjects, int[] weights, double chiSquare, int df, double p)
    {
        var srm = ExperimentStatistics.SampleRatioMismatch(subjects, weights)!;
        Assert.Equal(chiSquare, srm.ChiSquare, Digits);
        Assert.Equal(df, srm.DegreesOfFreedom);
        Assert.Equal(p, srm.PValue, Digits);
    }

    [Fact]
    public void Variants_of_weight_zero_take_no_part_in_the_sample_ratio_test()
    {
        Assert.Null(ExperimentStatistics.SampleRatioMismatch([0, 900], [0, 100]));
        var srm = ExperimentStatistics.SampleRatioMismatch([2100, 2900, 0, 5000], [20, 30, 0, 50])!;
        Assert.Equal(8.333333333333334, srm.ChiSquare, Digits);
        Assert.Equal(2, srm.DegreesOfFreedom);
    }

    [Fact]
    public void Holm_adjusts_p_values_step_down_and_keeps_them_monotone()
    {
        // By hand, m = 3: sorted 0.01, 0.03, 0.04 → 3·0.01 = 0.03; max(0.03, 2·0.03) = 0.06; max(0.06, 1·0.04) = 0.06.
        var adjusted = ExperimentStatistics.Holm([0.04, 0.01, 0.03]);
        Assert.Equal(0.06, adjusted[0]!.Value, 12);
        Assert.Equal(0.03, adjusted[1]!.Value, 12);
        Assert.Equal(0.06, adjusted[2]!.Value, 12);
        // m = 2 with one large value: 2·0.02 = 0.04; max(0.04, min(1, 1·0.9)) = 0.9. Undefined p-values stay out.
        var two = ExperimentStatistics.Holm([0.9, null, 0.02]);
        Assert.Equal(0.9, two[0]!.Value, 12);
        Assert.Null(two[1]);
        Assert.Equal(0.04, two[2]!.Value, 12);
        // Capped at 1: 3·0.5 = 1.5 → 1.
        Assert.Equal(1, ExperimentStatistics.Holm([0.5, 0.6, 0.7])[0]!.Value, 12);
    }

    [Fact]
    public void Undefined_statistics_are_null_rather_than_infinite()
    {
        // Both variants always succeed: no variance, no pooled standard error, no lift interval.
        var flat = ExperimentStatistics.Rates(100, 100, 100, 100);
        Assert.Equal(0, flat.Difference);
        Assert.Null(flat.PValue);
        Assert.Null(flat.DifferenceCi);
        // A control mean of 0 has no relative lift.
        var zero = ExperimentStatistics.Means(1.5, 0.5, 50, 0, 0.5, 50, lowerIsBetter: true);
        Assert.Null(zero.Lift);
        Assert.Null(zero.LiftCi);
        Assert.NotNull(zero.PValue);
        // One observation has no standard deviation.
        Assert.Null(ExperimentStatistics.Means(1, 0, 1, 2, 0.3, 10, lowerIsBetter: false).PValue);
    }
}

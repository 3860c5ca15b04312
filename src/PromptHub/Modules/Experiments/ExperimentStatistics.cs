using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace PromptHub.Modules.Experiments;

/// <summary>A two-sided 95% interval.</summary>
public sealed record Interval(double Low, double High);

/// <summary>A treatment against the control on one metric; null parts are undefined for the data (no variance, a zero control).</summary>
public sealed record Comparison(
    double Difference, Interval? DifferenceCi, double? Lift, Interval? LiftCi, double? PValue, double? DegreesOfFreedom, double? ChanceToBeatControl);

/// <summary>The sample-ratio-mismatch test: subjects per variant against the weights.</summary>
public sealed record SampleRatio(double ChiSquare, int DegreesOfFreedom, double PValue);

/// <summary>
/// The formulas of experiment results, each as a plain function of counts or of means and standard
/// deviations (distributions from MathNet.Numerics). "Treatment" is a non-control variant.
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>The two-sided 95% normal quantile, 1.95996…</summary>
    static readonly double Z = Normal.InvCDF(0, 1, 0.975);

    /// <summary>
    /// Success rates: difference with a 95% CI from the unpooled standard error; relative lift with a
    /// delta-method CI; p-value of the pooled two-proportion z-test; chance to beat from the exact
    /// comparison of the Beta(1 + successes, 1 + failures) posteriors.
    /// </summary>
    public static Comparison Rates(long treatmentSuccesses, long treatmentN, long controlSuccesses, long controlN)
    {
        double pt = (double)treatmentSuccesses / treatmentN, pc = (double)controlSuccesses / controlN;
        var variance = pt * (1 - pt) / treatmentN + pc * (1 - pc) / controlN;
        var pooled = (double)(treatmentSuccesses + controlSuccesses) / (treatmentN + controlN);
        var pooledSe = Math.Sqrt(pooled * (1 - pooled) * (1.0 / treatmentN + 1.0 / controlN));
        return new Comparison(
            pt - pc,
            variance > 0 ? Around(pt - pc, Z * Math.Sqrt(variance)) : null,
            pc > 0 ? pt / pc - 1 : null,
            LiftInterval(pt, pt * (1 - pt) / treatmentN, pc, pc * (1 - pc) / controlN),
            pooledSe > 0 ? TwoSidedNormal((pt - pc) / pooledSe) : null,
            null,
            ChanceToBeat(1 + treatmentSuccesses, 1 + treatmentN - treatmentSuccesses, 1 + controlSuccesses, 1 + controlN - controlSuccesses));
    }

    /// <summary>
    /// Means: difference with a Welch 95% CI (t quantile at the Welch–Satterthwaite degrees of freedom),
    /// relative lift with a delta-method CI, p-value of Welch's t-test, and chance to beat from the normal
    /// approximation of the difference; "beat" is lower when <paramref name="lowerIsBetter"/>.
    /// </summary>
    public static Comparison Means(double treatmentMean, double treatmentSd, long treatmentN, double controlMean, double controlSd, long controlN, bool lowerIsBetter)
    {
        var difference = treatmentMean - controlMean;
        if (treatmentN < 2 || controlN < 2) return new Comparison(difference, null, null, null, null, null, null);
        double vt = treatmentSd * treatmentSd / treatmentN, vc = controlSd * controlSd / controlN;
        var lift = controlMean != 0 ? treatmentMean / controlMean - 1 : (double?)null;
        if (vt + vc <= 0) return new Comparison(difference, null, lift, null, null, null, null);

        var se = Math.Sqrt(vt + vc);
        var df = (vt + vc) * (vt + vc) / (vt * vt / (treatmentN - 1) + vc * vc / (controlN - 1));
        var t = difference / se;
        return new Comparison(
            difference,
            Around(difference, StudentT.InvCDF(0, 1, df, 0.975) * se),
            lift,
            LiftInterval(treatmentMean, vt, controlMean, vc),
            2 * StudentT.CDF(0, 1, df, -Math.Abs(t)),
            df,
            Normal.CDF(0, 1, lowerIsBetter ? -t : t));
    }

    /// <summary>
    /// Relative lift m_t / m_c − 1 with a 95% CI by the delta method:
    /// Var(m_t / m_c) ≈ v_t / m_c² + m_t² · v_c / m_c⁴, where v is the variance of each mean.
    /// </summary>
    static Interval? LiftInterval(double treatmentMean, double treatmentVariance, double controlMean, double controlVariance)
    {
        if (controlMean == 0) return null;
        var c2 = controlMean * controlMean;
        var variance = treatmentVariance / c2 + treatmentMean * treatmentMean * controlVariance / (c2 * c2);
        return variance > 0 ? Around(treatmentMean / controlMean - 1, Z * Math.Sqrt(variance)) : null;
    }

    /// <summary>
    /// P(X_t &gt; X_c) for X_t ~ Beta(at, bt) and X_c ~ Beta(ac, bc) with whole-number parameters, exactly:
    /// P = Σ_{i=0}^{at−1} B(ac + i, bc + bt) / ((bt + i) · B(1 + i, bt) · B(ac, bc)) (Evan Miller's closed form).
    /// The sum runs over the smallest of the four parameters, through the symmetries
    /// P(X_t &gt; X_c) = 1 − P(X_c &gt; X_t) and P(X_t &gt; X_c) = P(1 − X_c &gt; 1 − X_t).
    /// </summary>
    public static double ChanceToBeat(long at, long bt, long ac, long bc)
    {
        var smallest = Math.Min(Math.Min(at, bt), Math.Min(ac, bc));
        var p = smallest == at ? Sum(at, bt, ac, bc)
            : smallest == ac ? 1 - Sum(ac, bc, at, bt)
            : smallest == bc ? Sum(bc, ac, bt, at)
            : 1 - Sum(bt, at, bc, ac);
        return Math.Clamp(p, 0, 1);

        // P(X > Y) for X ~ Beta(a, b), Y ~ Beta(c, d), summed over a terms, in logarithms (the betas are tiny).
        static double Sum(long a, long b, long c, long d)
        {
            var total = 0.0;
            var constant = SpecialFunctions.BetaLn(c, d);
            for (long i = 0; i < a; i++)
            {
                total += Math.Exp(SpecialFunctions.BetaLn(c + i, d + b) - Math.Log(b + i) - SpecialFunctions.BetaLn(1 + i, b) - constant);
            }
            return total;
        }
    }

    /// <summary>
    /// Chi-square goodness of fit of the subjects per variant to the weights (expected n·w/Σw), with
    /// k − 1 degrees of freedom. Variants of weight 0 take no part.
    /// </summary>
    public static SampleRatio? SampleRatioMismatch(IReadOnlyList<long> subjects, IReadOnlyList<int> weights)
    {
        var total = 0L;
        var weightSum = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] == 0) continue;
            total += subjects[i];
            weightSum += weights[i];
        }
        var variants = weights.Count(w => w > 0);
        if (variants < 2 || total == 0) return null;
        var chiSquare = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] == 0) continue;
            var expected = (double)total * weights[i] / weightSum;
            chiSquare += (subjects[i] - expected) * (subjects[i] - expected) / expected;
        }
        return new SampleRatio(chiSquare, variants - 1, 1 - ChiSquared.CDF(variants - 1, chiSquare));
    }

    /// <summary>Holm's step-down adjustment of p-values (family-wise error), in the order given; null stays null.</summary>
    public static double?[] Holm(IReadOnlyList<double?> pValues)
    {
        var order = Enumerable.Range(0, pValues.Count).Where(i => pValues[i] is not null).OrderBy(i => pValues[i]!.Value).ToList();
        var adjusted = new double?[pValues.Count];
        var running = 0.0;
        for (var rank = 0; rank < order.Count; rank++)
        {
            running = Math.Max(running, Math.Min(1, (order.Count - rank) * pValues[order[rank]]!.Value));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    static double TwoSidedNormal(double z) => 2 * Normal.CDF(0, 1, -Math.Abs(z));

    static Interval Around(double centre, double halfWidth) => new(centre - halfWidth, centre + halfWidth);
}

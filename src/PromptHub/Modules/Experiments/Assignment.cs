using System.Globalization;

namespace PromptHub.Modules.Experiments;

/// <summary>
/// Which variant a subject gets: a pure function of (seed, subject), so that every instance, every
/// restart and any client in any language agrees, with nothing stored.
/// `bucket = FNV1a32(FNV1a32(seed + subject) as invariant decimal text) % 10000`, FNV-1a over UTF-16
/// code units; `bucket / 10000` is GrowthBook's hash version 2. Variant i owns the buckets
/// `[100·cumulative_i, 100·cumulative_i + 100·w_i)` of its integer weight w_i, in stored order.
/// </summary>
public static class Assignment
{
    public const int Buckets = 10_000;
    const uint OffsetBasis = 2166136261;
    const uint Prime = 16777619;

    /// <summary>0–9999. Allocates nothing: it runs on every resolve with a subject.</summary>
    public static int Bucket(string seed, string subject)
    {
        var first = Fnv1a(Fnv1a(OffsetBasis, seed), subject);
        Span<char> digits = stackalloc char[10]; // uint.MaxValue has 10 digits
        first.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        return (int)(Fnv1a(OffsetBasis, digits[..written]) % Buckets);
    }

    /// <summary>The index of the variant that owns <paramref name="bucket"/>; weights are whole numbers summing to 100.</summary>
    public static int VariantOf(int bucket, IReadOnlyList<int> weights)
    {
        var upper = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            upper += weights[i] * (Buckets / 100);
            if (bucket < upper) return i;
        }
        throw new ArgumentException("The weights do not sum to 100.", nameof(weights));
    }

    static uint Fnv1a(uint hash, ReadOnlySpan<char> text)
    {
        foreach (var unit in text)
        {
            hash = unchecked((hash ^ unit) * Prime);
        }
        return hash;
    }
}

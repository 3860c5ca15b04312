using System.Globalization;

namespace PromptHub.Client;

/// <summary>
/// The server's bucket function, implemented again from its contract (GrowthBook's hash version 2):
/// <c>bucket = FNV1a32(FNV1a32(seed + subject) as invariant decimal text) % 10000</c>, FNV-1a over UTF-16 code
/// units; variant i owns the buckets <c>[100·Σw&lt;i, 100·Σw≤i)</c> of its whole-number weights, in stored order.
/// Computed here, a cached prompt assigns the same sticky variant as the server without a round trip.
/// </summary>
static class VariantAssignment
{
    public const int Buckets = 10_000;
    const uint OffsetBasis = 2166136261;
    const uint Prime = 16777619;

    public static int Bucket(string seed, string subject)
    {
        var hash = Fnv1a(Fnv1a(OffsetBasis, seed), subject);
        Span<char> digits = stackalloc char[10];
        hash.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        return (int)(Fnv1a(OffsetBasis, digits[..written]) % Buckets);
    }

    /// <summary>The index of the variant owning <paramref name="bucket"/>, or -1 when the weights do not cover it.</summary>
    public static int VariantOf(int bucket, IReadOnlyList<int> weights)
    {
        var upper = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            upper += weights[i] * (Buckets / 100);
            if (bucket < upper) return i;
        }
        return -1;
    }

    static uint Fnv1a(uint hash, ReadOnlySpan<char> text)
    {
        foreach (var unit in text) hash = unchecked((hash ^ unit) * Prime);
        return hash;
    }
}

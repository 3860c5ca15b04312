using PromptHub.Modules.Experiments;

namespace PromptHub.Tests.Experiments;

public sealed class AssignmentTests
{
    /// <summary>
    /// GrowthBook's published hash test vectors for hash version 2 ([seed, value, 2, expected]): the `hash`
    /// cases of growthbook/growthbook, packages/sdk-js/test/cases.json (specVersion 0.5.4, commit
    /// 021bf498f75c8491c156184ca1b3a1fbafa1d64e). Our bucket / 10000 must equal each expected value.
    /// </summary>
    [Theory]
    [InlineData("seed", "a", 0.0505)]
    [InlineData("seed", "b", 0.2696)]
    [InlineData("foo", "ab", 0.2575)]
    [InlineData("foo", "def", 0.2019)]
    [InlineData("89123klj", "8952klfjas09ujkasdf", 0.124)]
    [InlineData("90850943850283058242805", "123", 0.7516)]
    [InlineData("()**(%$##$%#$#", "___)((*\":&", 0.0128)]
    public void Buckets_match_GrowthBooks_published_hash_version_2_vectors(string seed, string subject, double expected) =>
        Assert.Equal(expected, Assignment.Bucket(seed, subject) / 10000.0, 10);

    /// <summary>
    /// Subjects outside ASCII hash their UTF-16 code units (an emoji is two). Expected buckets were computed
    /// independently twice: in Python over `s.encode("utf-16-le")` code units, and in Node.js with
    /// `charCodeAt` (how GrowthBook's JavaScript SDK reads strings); both gave these values. Over UTF-8 bytes
    /// the three subjects would land in 5434, 2168 and 6096 instead.
    /// </summary>
    [Theory]
    [InlineData("triage-concise", "Zoë Müller", 3413)]
    [InlineData("triage-concise", "李小龍", 8087)]
    [InlineData("triage-concise", "user-🚀-42", 6755)]
    [InlineData("café", "naïve", 5919)]
    public void Subjects_hash_over_UTF16_code_units(string seed, string subject, int expected) =>
        Assert.Equal(expected, Assignment.Bucket(seed, subject));

    [Fact]
    public void A_5050_split_gives_buckets_0_to_4999_to_the_control_and_5000_to_9999_to_the_treatment()
    {
        int[] weights = [50, 50];
        Assert.Equal(0, Assignment.VariantOf(0, weights));
        Assert.Equal(0, Assignment.VariantOf(4999, weights));
        Assert.Equal(1, Assignment.VariantOf(5000, weights));
        Assert.Equal(1, Assignment.VariantOf(9999, weights));
    }

    [Fact]
    public void A_20_30_50_split_gives_each_variant_its_range_in_stored_order()
    {
        int[] weights = [20, 30, 50];
        Assert.Equal(0, Assignment.VariantOf(0, weights));
        Assert.Equal(0, Assignment.VariantOf(1999, weights));
        Assert.Equal(1, Assignment.VariantOf(2000, weights));
        Assert.Equal(1, Assignment.VariantOf(4999, weights));
        Assert.Equal(2, Assignment.VariantOf(5000, weights));
        Assert.Equal(2, Assignment.VariantOf(9999, weights));
        // Every bucket has exactly one owner, in proportion to the weights.
        var owners = Enumerable.Range(0, 10000).GroupBy(b => Assignment.VariantOf(b, weights)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [0] = 2000, [1] = 3000, [2] = 5000 }, owners);
    }

    [Fact]
    public void A_variant_of_weight_zero_owns_no_bucket()
    {
        Assert.Equal(1, Assignment.VariantOf(0, [0, 100]));
        Assert.Equal(1, Assignment.VariantOf(9999, [0, 100]));
    }

    [Fact]
    public void Subjects_spread_over_the_variants_in_proportion_to_the_weights()
    {
        var counts = new int[3];
        for (var i = 0; i < 30_000; i++) counts[Assignment.VariantOf(Assignment.Bucket("spread-check", $"user-{i}"), [20, 30, 50])]++;
        // Within 3 standard deviations of a binomial share (about ±0.7 percentage points at n = 30,000).
        Assert.InRange(counts[0] / 30000.0, 0.193, 0.207);
        Assert.InRange(counts[1] / 30000.0, 0.292, 0.308);
        Assert.InRange(counts[2] / 30000.0, 0.491, 0.509);
    }
}

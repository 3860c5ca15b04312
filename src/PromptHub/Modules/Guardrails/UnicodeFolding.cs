using System.Collections.Frozen;
using System.Globalization;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// NFKC followed by stripping combining marks, for the scripts look-alike attacks borrow from, as a
/// table (see UnicodeFolding.py): with invariant globalization .NET's string.Normalize changes nothing.
/// </summary>
static partial class UnicodeFolding
{
    static readonly FrozenDictionary<int, string> Table = Parse();

    /// <summary>What <paramref name="codePoint"/> folds to, or null when it stays as it is.</summary>
    public static string? Fold(int codePoint) => Table.GetValueOrDefault(codePoint);

    static FrozenDictionary<int, string> Parse()
    {
        var table = new Dictionary<int, string>();
        foreach (var entry in Data.Split('\u0001', StringSplitOptions.RemoveEmptyEntries))
        {
            var split = entry.IndexOf('\u0002', StringComparison.Ordinal);
            table[int.Parse(entry.AsSpan(0, split), NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = entry[(split + 1)..];
        }
        return table.ToFrozenDictionary();
    }
}

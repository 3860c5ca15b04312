using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PromptHub.Modules.Guardrails;

/// <summary>A string value being checked, normalised once for every guardrail that matches against the normalised copy.</summary>
sealed class ScannedValue(string text)
{
    public string Text { get; } = text;
    public NormalizedText Normalized => field ??= NormalizedText.Of(Text);
}

/// <summary>A guardrail made ready to run: its detector built once (a blocklist's terms become one regex) and its scope.</summary>
sealed class CompiledGuardrail
{
    public const string BlockedTerm = "BLOCKED_TERM", TooLong = "MAX_LENGTH", PromptInjection = "PROMPT_INJECTION";
    static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    readonly HashSet<string> _entities;
    readonly double _threshold;
    readonly Regex? _blocklist;
    readonly bool _wholeWord;
    readonly int _maxLength;
    readonly string[] _scopePrompts;
    readonly string[] _scopeTags;

    public CompiledGuardrail(Guid id, string name, GuardrailType type, GuardrailSettings settings, GuardrailAction action, string[] scopePrompts, string[] scopeTags)
    {
        (Id, Name, Type, Action, _scopePrompts, _scopeTags) = (id, name, type, action, scopePrompts, scopeTags);
        TypeWord = Guardrail.Word(type);
        ActionWord = Guardrail.Word(action);
        _entities = [.. settings.Entities ?? PiiDetector.Entities];
        _threshold = settings.Threshold ?? GuardrailSettings.DefaultThreshold;
        _maxLength = settings.MaxLength ?? int.MaxValue;
        _wholeWord = settings.Match != GuardrailSettings.Substring;
        if (type == GuardrailType.Blocklist) _blocklist = BuildBlocklist(settings.Terms ?? []);
    }

    public Guid Id { get; }
    public string Name { get; }
    public GuardrailType Type { get; }
    public GuardrailAction Action { get; }
    public string TypeWord { get; }
    public string ActionWord { get; }

    /// <summary>No names and no tags: every prompt. Otherwise the prompt is named (or lies in a named folder, `support/`) or has one of the tags.</summary>
    public bool AppliesTo(string prompt, IReadOnlyList<string> tags)
    {
        if (_scopePrompts.Length == 0 && _scopeTags.Length == 0) return true;
        foreach (var scope in _scopePrompts)
        {
            if (scope.EndsWith('/') ? prompt.StartsWith(scope, StringComparison.Ordinal) : prompt == scope) return true;
        }
        foreach (var tag in tags) if (Array.IndexOf(_scopeTags, tag) >= 0) return true;
        return false;
    }

    public List<Detection> Detect(ScannedValue value) => Type switch
    {
        GuardrailType.Pii => PiiDetector.Find(value.Text, _entities),
        GuardrailType.PromptInjection => InjectionDetector.Find(value, _threshold),
        GuardrailType.Blocklist => FindTerms(value.Normalized),
        _ => FindExcess(value.Text),
    };

    /// <summary>What a redacted match becomes, before its number: `[EMAIL_1]`, `[PROMPT_INJECTION_1]`, `[BLOCKED_TERM_1]`.</summary>
    public string Placeholder(Detection detection) => Type switch
    {
        GuardrailType.Pii => detection.Entity,
        GuardrailType.PromptInjection => PromptInjection,
        _ => BlockedTerm,
    };

    List<Detection> FindTerms(NormalizedText normalized)
    {
        var found = new List<Detection>();
        var text = normalized.Text;
        // The terms are one alternation of literals, searched for all at once; whole words are checked here.
        var position = 0;
        while (position < text.Length)
        {
            var match = _blocklist!.Match(text, position);
            if (!match.Success) break;
            if (!_wholeWord || HasCjk(match.ValueSpan) || (IsWordEdge(text, match.Index - 1) && IsWordEdge(text, match.Index + match.Length)))
            {
                var (start, length) = normalized.ToOriginal(match.Index, match.Length);
                found.Add(new(BlockedTerm, start, length, 1.0));
                position = match.Index + match.Length;
            }
            else
            {
                position = match.Index + 1; // inside a longer word here; another term may start further on
            }
        }
        return found;
    }

    static bool IsWordEdge(string text, int index) => index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] == '_');

    /// <summary>Past the limit (in Unicode scalar values): the part after the last whole character (grapheme) that fits.</summary>
    List<Detection> FindExcess(string text)
    {
        if (text.Length <= _maxLength) return []; // UTF-16 units are never fewer than scalar values
        var cut = CutIndex(text, _maxLength);
        return cut < text.Length ? [new(TooLong, cut, text.Length - cut, 1.0)] : [];
    }

    /// <summary>The UTF-16 index at which to cut so that at most <paramref name="maxScalars"/> scalar values remain, never inside a grapheme.</summary>
    public static int CutIndex(string text, int maxScalars)
    {
        var index = 0;
        var scalars = 0;
        while (index < text.Length)
        {
            var element = StringInfo.GetNextTextElementLength(text, index);
            var count = 0;
            foreach (var _ in text.AsSpan(index, element).EnumerateRunes()) count++;
            if (scalars + count > maxScalars) break;
            scalars += count;
            index += element;
        }
        return index;
    }

    /// <summary>One regex for all terms, normalised like the text, longest first (whole words unless asked for substrings; always substrings in CJK scripts, which have no spaces).</summary>
    static Regex BuildBlocklist(string[] terms)
    {
        var parts = terms.Select(t => NormalizedText.Of(t).Text.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length).Select(Regex.Escape);
        return new Regex(string.Join("|", parts), RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
    }

    static bool HasCjk(ReadOnlySpan<char> term)
    {
        foreach (var rune in term.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is >= 0x3040 and <= 0x30FF or >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF or >= 0xAC00 and <= 0xD7AF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x2FFFF) return true;
        }
        return false;
    }

    /// <summary>A preview that shows the shape of a match, never the match: its first and last characters at most, the rest as `*`.</summary>
    public static string Mask(ReadOnlySpan<char> raw)
    {
        var runes = new List<Rune>();
        foreach (var rune in raw.EnumerateRunes())
        {
            runes.Add(rune);
            if (runes.Count > 64) break;
        }
        var n = runes.Count;
        var builder = new StringBuilder();
        var keepEnds = n >= 8;
        if (n >= 4) builder.Append(runes[0].ToString());
        builder.Append('*', Math.Min(Math.Max(n - (keepEnds ? 2 : n >= 4 ? 1 : 0), 1), 10));
        if (keepEnds) builder.Append(runes[n - 1].ToString());
        return builder.ToString();
    }
}

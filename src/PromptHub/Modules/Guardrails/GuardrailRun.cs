using System.Text;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// Guardrails run over a set of string values: every finding, whether any blocks, and the values to
/// render where guardrails redact — overlapping redactions merged into one placeholder, numbered per
/// kind in document order, the same text getting the same number everywhere in the run; max_length
/// truncation applied last.
/// </summary>
sealed class GuardrailRun
{
    public sealed record Found(CompiledGuardrail Guardrail, GuardrailFinding View)
    {
        public Guid GuardrailId => Guardrail.Id;
    }

    public List<Found> Findings { get; } = [];
    public bool Blocked { get; private set; }
    /// <summary>New text of the values that were redacted, by their index in the input.</summary>
    public Dictionary<int, string> Replacements { get; } = [];

    public static GuardrailRun Of(IReadOnlyList<CompiledGuardrail> guardrails, IReadOnlyList<(string Path, string Value)> values)
    {
        var run = new GuardrailRun();
        var numbers = new Dictionary<(string Kind, string Text), int>();
        var perKind = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var v = 0; v < values.Count; v++)
        {
            var (path, value) = values[v];
            var scanned = new ScannedValue(value);
            List<(int Start, int End, string Kind)>? redactions = null;
            var truncateAt = int.MaxValue;
            foreach (var guardrail in guardrails)
            {
                foreach (var detection in DetectOrTimeOut(guardrail, scanned))
                {
                    var preview = CompiledGuardrail.Mask(value.AsSpan(detection.Start, detection.Length));
                    run.Findings.Add(new(guardrail, new GuardrailFinding(guardrail.Name, guardrail.TypeWord, detection.Entity, path,
                        detection.Start, detection.Length, Math.Round(detection.Score, 3), guardrail.ActionWord, preview)));
                    if (guardrail.Action == GuardrailAction.Block) run.Blocked = true;
                    if (guardrail.Action != GuardrailAction.Redact) continue;
                    if (guardrail.Type == GuardrailType.MaxLength) truncateAt = Math.Min(truncateAt, detection.Start);
                    else (redactions ??= []).Add((detection.Start, detection.End, guardrail.Placeholder(detection)));
                }
            }
            if (redactions is null && truncateAt == int.MaxValue) continue;
            run.Replacements[v] = Redact(value, redactions, truncateAt, numbers, perKind);
        }
        return run;
    }

    /// <summary>
    /// A pattern that runs out of time on a crafted value fails closed: the whole value counts as a
    /// finding of that guardrail (blocked, redacted, warned or logged as the guardrail says).
    /// </summary>
    static List<Detection> DetectOrTimeOut(CompiledGuardrail guardrail, ScannedValue value)
    {
        try
        {
            return guardrail.Detect(value);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return [new(MatchTimeout, 0, value.Text.Length, 1.0)];
        }
    }

    public const string MatchTimeout = "MATCH_TIMEOUT";

    static string Redact(string value, List<(int Start, int End, string Kind)>? redactions, int truncateAt,
        Dictionary<(string, string), int> numbers, Dictionary<string, int> perKind)
    {
        var builder = new StringBuilder(value.Length);
        var position = 0;
        if (redactions is not null)
        {
            redactions.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
            for (var i = 0; i < redactions.Count;)
            {
                // Overlapping spans become one: the union, named after the one that starts first (the longer at a tie).
                var (start, end, kind) = redactions[i++];
                while (i < redactions.Count && redactions[i].Start < end) end = Math.Max(end, redactions[i++].End);
                var text = value[start..end];
                if (!numbers.TryGetValue((kind, text), out var number))
                {
                    number = perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
                    numbers[(kind, text)] = number;
                }
                builder.Append(value, position, start - position).Append('[').Append(kind).Append('_').Append(number).Append(']');
                position = end;
            }
        }
        builder.Append(value, position, value.Length - position);
        var redacted = builder.ToString();
        if (truncateAt == int.MaxValue) return redacted;
        // The limit counts what is rendered: the redacted text, cut on a character boundary.
        return redacted[..CompiledGuardrail.CutIndex(redacted, ScalarLimit(value, truncateAt))];
    }

    /// <summary>The limit in scalar values that the max_length finding at <paramref name="cut"/> stands for.</summary>
    static int ScalarLimit(string value, int cut)
    {
        var count = 0;
        foreach (var _ in value.AsSpan(0, cut).EnumerateRunes()) count++;
        return count;
    }
}

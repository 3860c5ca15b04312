using System.Buffers;
using System.Globalization;
using System.Text;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// A copy of a text made for matching rules against, not for reading: format characters (zero-width,
/// bidi controls, soft hyphens) dropped, NFKC, lower case, combining marks stripped, Cyrillic and Greek
/// look-alikes mapped to Latin in words that mix scripts (or that are spelled only with look-alikes),
/// spaced-out letters joined ("i g n o r e" → "ignore"), runs of spaces made one. Each character of the
/// copy remembers the span of the original it came from, so findings point into what the caller sent.
/// </summary>
sealed class NormalizedText
{
    // Null when each character of the copy is the one at the same place of the original (plain ASCII text).
    readonly int[]? _starts;
    readonly int[]? _ends;

    NormalizedText(string text, int[]? starts, int[]? ends)
    {
        Text = text;
        _starts = starts;
        _ends = ends;
    }

    public string Text { get; }

    /// <summary>The span of the original text that the copy's [start, start + length) came from.</summary>
    public (int Start, int Length) ToOriginal(int start, int length)
    {
        if (_starts is null || _ends is null) return (start, length);
        var from = _starts[start];
        return (from, _ends[start + length - 1] - from);
    }

    static readonly SearchValues<char> OddWhiteSpace = SearchValues.Create("\t\r\v\f\u001C\u001D\u001E\u001F");

    public static NormalizedText Of(string original)
    {
        // Most values are plain ASCII with single spaces: lower-casing is all the work, and positions stay as they are.
        var span = original.AsSpan();
        if (Ascii.IsValid(span) && span.IndexOfAny(OddWhiteSpace) < 0 && !span.Contains("  ", StringComparison.Ordinal)
            && !span.Contains("\n ", StringComparison.Ordinal) && !span.Contains(" \n", StringComparison.Ordinal) && !span.Contains("\n\n", StringComparison.Ordinal))
        {
            var lower = original.ToLowerInvariant();
            if (!HasSpacedLetters(lower)) return new NormalizedText(lower, null, null);
        }
        var buffer = new Buffer(original.Length);
        for (var i = 0; i < original.Length;)
        {
            // A lone surrogate reads as U+FFFD and is kept: it cannot hide a rule's words.
            Rune.DecodeFromUtf16(original.AsSpan(i), out var rune, out var width);
            Append(buffer, rune, i, i + width);
            i += width;
        }
        MapLookAlikes(buffer);
        buffer = JoinSpacedLetters(buffer);
        return buffer.ToText();
    }

    static void Append(Buffer buffer, Rune rune, int start, int end)
    {
        if (rune.IsAscii)
        {
            var c = (char)rune.Value;
            if (c is '\n' or '\r') buffer.AddSpace('\n', start, end);
            else if (char.IsWhiteSpace(c)) buffer.AddSpace(' ', start, end);
            else buffer.Add(char.ToLowerInvariant(c), start, end);
            return;
        }
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark) return;
        if (Rune.IsWhiteSpace(rune))
        {
            buffer.AddSpace(rune.Value is 0x2028 or 0x2029 or 0x85 ? '\n' : ' ', start, end);
            return;
        }
        // Typographic apostrophes and quotes read as the ASCII ones ("don’t" is "don't").
        if (rune.Value is 0x2018 or 0x2019 or 0x02BC or 0xFF07) { buffer.Add('\'', start, end); return; }
        var folded = UnicodeFolding.Fold(rune.Value);
        if (folded is null)
        {
            var lower = Rune.ToLowerInvariant(rune);
            if (lower.IsBmp) buffer.Add((char)lower.Value, start, end);
            else foreach (var c in lower.ToString()) buffer.Add(c, start, end);
            return;
        }
        foreach (var c in folded)
        {
            if (char.IsWhiteSpace(c)) buffer.AddSpace(' ', start, end);
            else buffer.Add(char.ToLowerInvariant(c), start, end);
        }
    }

    /// <summary>Cyrillic and Greek letters that look like Latin ones (after lower-casing).</summary>
    static readonly Dictionary<char, char> LookAlikes = new()
    {
        ['а'] = 'a', ['в'] = 'b', ['е'] = 'e', ['ё'] = 'e', ['к'] = 'k', ['м'] = 'm', ['н'] = 'h', ['о'] = 'o', ['р'] = 'p',
        ['с'] = 'c', ['т'] = 't', ['у'] = 'y', ['х'] = 'x', ['і'] = 'i', ['ї'] = 'i', ['ј'] = 'j', ['ѕ'] = 's', ['һ'] = 'h',
        ['ԁ'] = 'd', ['ԛ'] = 'q', ['ԝ'] = 'w', ['ɡ'] = 'g', ['ɑ'] = 'a', ['ı'] = 'i',
        ['α'] = 'a', ['β'] = 'b', ['ε'] = 'e', ['η'] = 'n', ['ι'] = 'i', ['κ'] = 'k', ['ν'] = 'v', ['ο'] = 'o', ['ρ'] = 'p',
        ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['γ'] = 'y', ['ω'] = 'w', ['μ'] = 'u',
    };

    /// <summary>
    /// Maps look-alikes in a word that also has Latin letters, or whose letters all have a Latin
    /// look-alike; real Russian or Greek words keep their letters, so rules in those languages still match.
    /// </summary>
    static void MapLookAlikes(Buffer buffer)
    {
        var chars = buffer.Chars;
        for (var i = 0; i < buffer.Count;)
        {
            if (!char.IsLetter(chars[i])) { i++; continue; }
            var end = i;
            bool latin = false, lookAlike = false, other = false;
            for (; end < buffer.Count && char.IsLetter(chars[end]); end++)
            {
                var c = chars[end];
                if (c < 128) latin = true;
                else if (LookAlikes.ContainsKey(c)) lookAlike = true;
                else if (c is >= '\u0370' and < '\u0530') other = true;
            }
            if (lookAlike && (latin || !other))
            {
                for (var j = i; j < end; j++) if (LookAlikes.TryGetValue(chars[j], out var mapped)) chars[j] = mapped;
            }
            i = end;
        }
    }

    static bool IsSeparator(char c) => c is ' ' or '.' or '-' or '_' or '*' or '+' or '|' or '/';

    /// <summary>"i g n o r e  a l l" → "ignore all": runs of at least four single letters with one separator between them.</summary>
    static Buffer JoinSpacedLetters(Buffer buffer)
    {
        var chars = buffer.Chars;
        var n = buffer.Count;
        var drop = (bool[]?)null;
        for (var i = 0; i < n; i++)
        {
            if (!SingleLetterAt(chars, n, i)) continue;
            var separator = i + 1 < n ? chars[i + 1] : '\0';
            if (!IsSeparator(separator)) continue;
            var last = i;
            var count = 1;
            while (last + 2 < n && chars[last + 1] == separator && SingleLetterAt(chars, n, last + 2))
            {
                last += 2;
                count++;
            }
            if (count >= 4)
            {
                drop ??= new bool[n];
                for (var j = i + 1; j < last; j += 2) drop[j] = true;
            }
            i = last;
        }
        if (drop is null) return buffer;
        var joined = new Buffer(n);
        for (var i = 0; i < n; i++)
        {
            if (drop[i]) continue;
            if (chars[i] is ' ' or '\n') joined.AddSpace(chars[i], buffer.Starts[i], buffer.Ends[i]);
            else joined.Add(chars[i], buffer.Starts[i], buffer.Ends[i]);
        }
        return joined;
    }

    /// <summary>Plain ASCII only: four single letters in a row, each followed by the same separator ("i g n o" …).</summary>
    static bool HasSpacedLetters(string text)
    {
        var n = text.Length;
        for (var i = 0; i + 2 < n; i++)
        {
            var separator = text[i + 1];
            if (!IsSeparator(separator) || !char.IsAsciiLetter(text[i]) || (i > 0 && char.IsAsciiLetterOrDigit(text[i - 1]))) continue;
            var count = 1;
            var last = i;
            while (last + 2 < n && text[last + 1] == separator && char.IsAsciiLetter(text[last + 2]) && (last + 3 >= n || !char.IsAsciiLetterOrDigit(text[last + 3])))
            {
                last += 2;
                count++;
            }
            if (count >= 4) return true;
        }
        return false;
    }

    static bool SingleLetterAt(char[] chars, int n, int i) =>
        char.IsLetter(chars[i]) && (i == 0 || !char.IsLetterOrDigit(chars[i - 1])) && (i + 1 >= n || !char.IsLetterOrDigit(chars[i + 1]));

    sealed class Buffer(int capacity)
    {
        public char[] Chars = new char[Math.Max(capacity, 4)];
        public int[] Starts = new int[Math.Max(capacity, 4)];
        public int[] Ends = new int[Math.Max(capacity, 4)];
        public int Count;

        public void Add(char c, int start, int end)
        {
            if (Count == Chars.Length)
            {
                Array.Resize(ref Chars, Count * 2);
                Array.Resize(ref Starts, Count * 2);
                Array.Resize(ref Ends, Count * 2);
            }
            Chars[Count] = c;
            Starts[Count] = start;
            Ends[Count] = end;
            Count++;
        }

        /// <summary>Runs of white space become one (a line break if the run has one), stretching over the run.</summary>
        public void AddSpace(char c, int start, int end)
        {
            if (Count > 0 && Chars[Count - 1] is ' ' or '\n')
            {
                if (c == '\n') Chars[Count - 1] = '\n';
                Ends[Count - 1] = end;
                return;
            }
            Add(c, start, end);
        }

        public NormalizedText ToText() => new(new string(Chars, 0, Count), Starts[..Count], Ends[..Count]);
    }
}

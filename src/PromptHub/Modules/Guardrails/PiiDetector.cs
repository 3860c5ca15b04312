using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// Personal data found by pattern and checked by rule: card numbers (brand prefix, length, Luhn), IBANs
/// (country length, mod-97), US social security numbers (SSA's never-issued ranges), e-mail addresses,
/// phone numbers (E.164, US numbering plan) and IP addresses (IPv4 octets, IPv6 parsed). Digits are
/// [0-9] only. Overlaps go to the entity earlier in <see cref="Entities"/>, then to the longer span.
/// </summary>
static partial class PiiDetector
{
    public const string CreditCard = "CREDIT_CARD", Iban = "IBAN", UsSsn = "US_SSN", Email = "EMAIL", Phone = "PHONE", IpAddress = "IP_ADDRESS";

    /// <summary>Every entity, in the order that wins an overlap.</summary>
    public static readonly string[] Entities = [Email, CreditCard, Iban, UsSsn, Phone, IpAddress];

    const int TimeoutMs = 100;

    [GeneratedRegex(@"(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex CardCandidate();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex IbanCandidate();

    [GeneratedRegex(@"(?<![0-9])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex SsnCandidate();

    [GeneratedRegex(@"(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex EmailCandidate();

    [GeneratedRegex(@"(?<![0-9+])\+[1-9](?:[ -]?[0-9]){7,14}(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex E164Candidate();

    // (NPA) NXX-XXXX, NPA-NXX-XXXX, NPA.NXX.XXXX, optionally after 1 or +1; separators required (bare ten digits are too often something else).
    [GeneratedRegex(@"(?<![0-9+])(?:\+?1[ .-]?)?(?:\(([2-9][0-9]{2})\) ?|([2-9][0-9]{2})([ .-]))([2-9][0-9]{2})[ .-]([0-9]{4})(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex UsPhoneCandidate();

    [GeneratedRegex(@"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9]|\.[0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex Ipv4Candidate();

    [GeneratedRegex(@"(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?![0-9A-Fa-f:])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex Ipv6Candidate();

    /// <summary>IBAN length by country (SWIFT's registry).</summary>
    static readonly Dictionary<string, int> IbanLengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22, ["BI"] = 27,
        ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28,
        ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23,
        ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27,
        ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["LY"] = 25,
        ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18,
        ["NO"] = 15, ["OM"] = 23, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33,
        ["SA"] = 24, ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28,
        ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
    };

    /// <summary>The entities of <paramref name="wanted"/> found in <paramref name="text"/>, overlaps resolved, in text order.</summary>
    public static List<Detection> Find(string text, IReadOnlySet<string> wanted)
    {
        var found = new List<Detection>();
        var digit = text.AsSpan().IndexOfAnyInRange('0', '9') >= 0; // no digit: no card, IBAN, SSN, phone or IPv4
        if (digit)
        {
            if (wanted.Contains(CreditCard)) Cards(text, found);
            if (wanted.Contains(Iban)) Ibans(text, found);
            if (wanted.Contains(UsSsn)) Ssns(text, found);
            if (wanted.Contains(Phone)) Phones(text, found);
            if (wanted.Contains(IpAddress)) Ipv4s(text, found);
        }
        if (wanted.Contains(Email) && text.Contains('@', StringComparison.Ordinal)) Emails(text, found);
        if (wanted.Contains(IpAddress) && MayHoldIpv6(text)) Ipv6s(text, found);
        return found.Count <= 1 ? found : ResolveOverlaps(found);
    }

    static List<Detection> ResolveOverlaps(List<Detection> found)
    {
        var ranked = found.OrderBy(d => Array.IndexOf(Entities, d.Entity)).ThenByDescending(d => d.Length).ThenBy(d => d.Start);
        var kept = new List<Detection>();
        foreach (var candidate in ranked)
        {
            if (!kept.Any(k => k.Start < candidate.End && candidate.Start < k.End)) kept.Add(candidate);
        }
        kept.Sort((a, b) => a.Start.CompareTo(b.Start));
        return kept;
    }

    static void Cards(string text, List<Detection> found)
    {
        Span<char> digits = stackalloc char[19];
        foreach (var match in CardCandidate().EnumerateMatches(text))
        {
            var span = text.AsSpan(match.Index, match.Length);
            // One separator throughout: "4111 1111 1111 1111" or "4111-1111-1111-1111", not "4111 1111-1111 1111".
            var first = span.IndexOfAny(' ', '-');
            if (first >= 0 && span.Contains(span[first] == ' ' ? '-' : ' ')) continue;
            var n = 0;
            foreach (var c in span) if (c is >= '0' and <= '9') digits[n++] = c;
            var number = digits[..n];
            if (Brand(number) is not null && Luhn(number)) found.Add(new(CreditCard, match.Index, match.Length, 1.0));
        }
    }

    /// <summary>The card brand whose prefix and length the number has, or null.</summary>
    public static string? Brand(ReadOnlySpan<char> number)
    {
        var length = number.Length;
        if (length < 13) return null;
        if (number[0] == '4' && length is 13 or 16 or 19) return "Visa";
        var two = (number[0] - '0') * 10 + (number[1] - '0');
        var three = two * 10 + (number[2] - '0');
        var four = three * 10 + (number[3] - '0');
        if (length == 16 && (two is >= 51 and <= 55 || four is >= 2221 and <= 2720)) return "Mastercard";
        if (length == 15 && two is 34 or 37) return "Amex";
        if (length is >= 16 and <= 19 && (four == 6011 || three is >= 644 and <= 649 || two == 65)) return "Discover";
        if (length is >= 16 and <= 19 && four is >= 3528 and <= 3589) return "JCB";
        if (length is >= 14 and <= 19 && (three is >= 300 and <= 305 || two is 36 or 38 or 39)) return "Diners";
        if (length is >= 16 and <= 19 && two == 62) return "UnionPay";
        return null;
    }

    public static bool Luhn(ReadOnlySpan<char> number)
    {
        var sum = 0;
        for (var i = 0; i < number.Length; i++)
        {
            var d = number[number.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    static void Ibans(string text, List<Detection> found)
    {
        Span<char> iban = stackalloc char[34];
        foreach (var match in IbanCandidate().EnumerateMatches(text))
        {
            var country = text.Substring(match.Index, 2);
            if (!IbanLengths.TryGetValue(country, out var length)) continue;
            // Take exactly the country's length (single spaces allowed between characters): text after it is not absorbed.
            var n = 0;
            var end = match.Index;
            var limit = match.Index + match.Length;
            while (end < limit && n < length)
            {
                if (text[end] != ' ') iban[n++] = text[end];
                end++;
            }
            if (n < length) continue;
            if (end < text.Length && char.IsLetterOrDigit(text[end])) continue; // longer than the country's IBANs
            if (IbanChecksumValid(iban[..n])) found.Add(new(Iban, match.Index, end - match.Index, 1.0));
        }
    }

    /// <summary>ISO 13616: the first four characters moved to the end, letters as 10–35, the number mod 97 is 1.</summary>
    public static bool IbanChecksumValid(ReadOnlySpan<char> iban)
    {
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var c = iban[(i + 4) % iban.Length];
            if (c is >= '0' and <= '9') remainder = (remainder * 10 + (c - '0')) % 97;
            else if (c is >= 'A' and <= 'Z') remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            else return false;
        }
        return remainder == 1;
    }

    static void Ssns(string text, List<Detection> found)
    {
        foreach (var match in SsnCandidate().Matches(text).Cast<Match>())
        {
            var area = int.Parse(match.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
            // Never issued: area 000, 666 and 900–999; group 00; serial 0000.
            if (area is 0 or 666 or >= 900 || match.Groups[3].ValueSpan is "00" || match.Groups[4].ValueSpan is "0000") continue;
            found.Add(new(UsSsn, match.Index, match.Length, 0.85));
        }
    }

    static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    /// <summary>The pattern runs only from the start of the local part before each `@` (not from every word of the text).</summary>
    static void Emails(string text, List<Detection> found)
    {
        var searchedTo = 0;
        for (var at = text.IndexOf('@', StringComparison.Ordinal); at >= 0; at = at + 1 < text.Length ? text.IndexOf('@', at + 1) : -1)
        {
            var start = at;
            while (start > 0 && at - start < 64 && IsLocalChar(text[start - 1])) start--;
            if (start > 0 && IsLocalChar(text[start - 1])) continue; // a local part longer than 64 characters
            start = Math.Max(start, searchedTo);
            var end = Math.Min(text.Length, at + 256);
            foreach (var match in EmailCandidate().EnumerateMatches(text.AsSpan(start, end - start)))
            {
                var index = start + match.Index;
                var span = text.AsSpan(index, match.Length);
                if (span[..span.IndexOf('@')].Contains("..", StringComparison.Ordinal)) continue;
                // The window ends within 256 characters of the @: a match touching its end may go on, so it is checked against the whole text.
                if (index + match.Length == end && end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '-')) continue;
                found.Add(new(Email, index, match.Length, 0.9));
                searchedTo = index + match.Length;
                break;
            }
        }
    }

    static void Phones(string text, List<Detection> found)
    {
        foreach (var match in E164Candidate().EnumerateMatches(text)) found.Add(new(Phone, match.Index, match.Length, 0.75));
        foreach (var match in UsPhoneCandidate().Matches(text).Cast<Match>())
        {
            var area = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
            var exchange = match.Groups[4].Value;
            // N11 codes (211, 311 … 911) are service codes, neither area codes nor exchanges.
            if (area[1..] == "11" || exchange[1..] == "11") continue;
            found.Add(new(Phone, match.Index, match.Length, 0.75));
        }
    }

    static void Ipv4s(string text, List<Detection> found)
    {
        foreach (var match in Ipv4Candidate().EnumerateMatches(text)) found.Add(new(IpAddress, match.Index, match.Length, 0.8));
    }

    /// <summary>A colon with a hex digit or another colon on both sides ("fe80::1", "db8:85a3"), not "notes: customer".</summary>
    static bool MayHoldIpv6(string text)
    {
        for (var i = text.IndexOf(':', StringComparison.Ordinal); i >= 0; i = i + 1 < text.Length ? text.IndexOf(':', i + 1) : -1)
        {
            if (i > 0 && i + 1 < text.Length && (char.IsAsciiHexDigit(text[i - 1]) || text[i - 1] == ':') && (char.IsAsciiHexDigit(text[i + 1]) || text[i + 1] == ':')) return true;
            if (i == 0 && text.Length > 1 && text[1] == ':') return true;
        }
        return false;
    }

    static void Ipv6s(string text, List<Detection> found)
    {
        foreach (var match in Ipv6Candidate().EnumerateMatches(text))
        {
            var span = text.AsSpan(match.Index, match.Length);
            // A MAC address (six two-digit groups) or a time of day has no "::" and too few groups; IPAddress refuses both.
            if (!IPAddress.TryParse(span, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6) continue;
            var groups = 0;
            foreach (var part in span.Split(':')) if (part.End.Value > part.Start.Value) groups++;
            if (groups < 2 && !span.SequenceEqual("::1")) continue; // "a::" in "std::" is not an address anyone means
            if (groups < 3 && span.Length < 6 && !span.SequenceEqual("::1")) continue;
            found.Add(new(IpAddress, match.Index, match.Length, 0.8));
        }
    }
}

using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// Known prompt-injection phrasings, as scored rules over a <see cref="NormalizedText"/>: instruction
/// overrides (English, the main European languages, Russian, Chinese, Japanese), role-play jailbreaks,
/// system-prompt extraction, chat-template tokens and fake system messages, and the same inside base64.
/// A text fires when its combined score (1 − Π(1 − score of each rule that matched)) reaches the
/// threshold. Heuristics, not a classifier: a paraphrase no rule knows passes.
/// </summary>
static partial class InjectionDetector
{
    const int TimeoutMs = 100;
    const RegexOptions Options = RegexOptions.CultureInvariant;

    /// <summary>A rule runs only on a text that holds one of its <paramref name="triggers"/> (one vectorised search), so most text costs no regex at all.</summary>
    sealed class Rule(string name, double score, Regex pattern, string[] triggers, bool negatable = false)
    {
        public string Name { get; } = name;
        public double Score { get; } = score;
        public Regex Pattern { get; } = pattern;
        public string[] Triggers { get; } = triggers;
        public bool Negatable { get; } = negatable;
    }

    static readonly string[] OverrideVerbs = ["ignor", "disregard", "forget", "skip", "overrid", "overrul", "bypass", "neglect", "discard", "drop"];

    // Words between the verb and what it targets: "ignore (all of) the previous (system) instructions".
    const string Gap = @"(?:\s+[\w']+){0,3}?";

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|skip|override|overrule|bypass|neglect|discard|drop)\b" + Gap +
        @"\s+(?:all|any|every|previous|prior|above|earlier|preceding|foregoing|former|system|initial|original|your|developer)\b" + Gap +
        @"\s+(?:instructions?|rules?|prompts?|directions?|directives?|guidelines?|commands?|orders?|guardrails?|constraints?|programming|polic(?:y|ies)|context)\b", Options, TimeoutMs)]
    private static partial Regex Override();

    // Written without spaces once spaced-out letters are joined: "ignoreallpreviousinstructions".
    [GeneratedRegex(@"(?:ignore|disregard|forget)(?:all|any|the|your)*(?:previous|prior|above|system)(?:instructions?|rules?|prompts?)", Options, TimeoutMs)]
    private static partial Regex OverrideJoined();

    [GeneratedRegex(@"\bforget\s+(?:everything|all(?:\s+that)?)\s+(?:above|before|you\s+(?:were|have\s+been)\s+told|we\s+discussed|so\s+far)\b", Options, TimeoutMs)]
    private static partial Regex ForgetEverything();

    [GeneratedRegex(@"\b(?:new|updated|real|actual)\s+(?:system\s+)?instructions?\s*:", Options, TimeoutMs)]
    private static partial Regex NewInstructions();

    [GeneratedRegex(@"\b(?:developer|god|jailbreak|dan|unrestricted|unfiltered|evil|sudo)\s+mode\b", Options, TimeoutMs)]
    private static partial Regex SpecialMode();

    [GeneratedRegex(@"\bdo\s+anything\s+now\b", Options, TimeoutMs)]
    private static partial Regex DoAnythingNow();

    [GeneratedRegex(@"\bjailbr(?:eak|oken)\w*", Options, TimeoutMs)]
    private static partial Regex Jailbreak();

    [GeneratedRegex(@"\b(?:you\s+are\s+now|you're\s+now|from\s+now\s+on,?\s+you|act\s+as|pretend\s+(?:to\s+be|you\s+are|you're)|role-?play\s+as|imagine\s+you\s+are)\b", Options, TimeoutMs)]
    private static partial Regex RolePlay();

    [GeneratedRegex(@"\b(?:no|without|free\s+(?:of|from)|zero|any)\s+(?:[\w']+\s+)?(?:restrictions|limitations|filters|censorship|boundaries|ethical\s+guidelines|content\s+polic(?:y|ies)|safety\s+guidelines)\b", Options, TimeoutMs)]
    private static partial Regex NoRestrictions();

    [GeneratedRegex(@"\b(?:reveal|show|print|display|output|repeat|tell|give|leak|dump|share|write\s+out|spell\s+out|what\s+(?:is|are|was|were))\b(?:\s+[\w']+){0,2}?\s+(?:your|the)\s+(?:[\w']+\s+){0,2}?(?:system|initial|original|hidden|secret|internal|developer|full|pre-?)\s*(?:prompt|message|instructions)\b", Options, TimeoutMs)]
    private static partial Regex SystemPromptExtraction();

    [GeneratedRegex(@"\b(?:reveal|show|print|display|output|repeat|tell|give|leak|dump|share)\b(?:\s+[\w']+){0,2}?\s+your\s+(?:prompt|instructions|rules|guidelines)\b", Options, TimeoutMs)]
    private static partial Regex YourInstructions();

    [GeneratedRegex(@"\brepeat\s+(?:\w+\s+){0,2}(?:words|text|everything|all)\s+(?:\w+\s+)?above\b", Options, TimeoutMs)]
    private static partial Regex RepeatAbove();

    [GeneratedRegex(@"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|\[/?inst\]|<</?sys>>", Options, TimeoutMs)]
    private static partial Regex ChatTemplateToken();

    [GeneratedRegex(@"(?:^|\n)\s*(?:#{1,3}\s*)?(?:system|developer)(?:\s+(?:message|prompt|override|instructions?))?\s*:|\[(?:system|admin|developer)\]|\b(?:system|admin|developer)\s+override\b", Options | RegexOptions.Multiline, TimeoutMs)]
    private static partial Regex FakeSystemMessage();

    // The override phrase in other languages; accents are already stripped ("précédentes" → "precedentes", "й" → "и").
    [GeneratedRegex(@"\b(?:ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte)\b" + Gap + @"\s+(?:anweisungen|instruktionen|regeln|befehle|vorgaben)\b", Options, TimeoutMs)]
    private static partial Regex OverrideGerman();

    // The Romance languages share "ignore" with English: their rules ask for their own articles before the noun.
    [GeneratedRegex(@"\b(?:ignore[zr]?|oublie[zr]?|ne\s+tiens\s+pas\s+compte)\b(?:\s+\w+){0,2}?\s+(?:les|tes|vos|des|toutes)\s+(?:\w+\s+)?(?:instructions|consignes|regles|directives)\b", Options, TimeoutMs)]
    private static partial Regex OverrideFrench();

    [GeneratedRegex(@"\b(?:ignora|ignore|ignoren|olvida|olvide|olviden|omite)\b(?:\s+\w+){0,2}?\s+(?:las|todas|tus|sus)\s+(?:\w+\s+)?(?:instrucciones|reglas|indicaciones|directrices)\b", Options, TimeoutMs)]
    private static partial Regex OverrideSpanish();

    [GeneratedRegex(@"\b(?:ignora|ignorate|dimentica|dimenticate)\b(?:\s+\w+){0,2}?\s+(?:le|tutte|tue|sue)\s+(?:\w+\s+)?(?:istruzioni|regole|direttive)\b", Options, TimeoutMs)]
    private static partial Regex OverrideItalian();

    [GeneratedRegex(@"\b(?:ignore|ignora|ignorem|esqueca|esquece)\b(?:\s+\w+){0,2}?\s+(?:as|todas|suas)\s+(?:\w+\s+)?(?:instrucoes|regras|diretrizes)\b", Options, TimeoutMs)]
    private static partial Regex OverridePortuguese();

    [GeneratedRegex(@"\b(?:negeer|vergeet)\b" + Gap + @"\s+(?:instructies|regels|opdrachten)\b", Options, TimeoutMs)]
    private static partial Regex OverrideDutch();

    [GeneratedRegex(@"\b(?:zignoruj|ignoruj|zapomnij)\b" + Gap + @"\s+(?:instrukcje|polecenia|zasady|instrukcji)\b", Options, TimeoutMs)]
    private static partial Regex OverridePolish();

    [GeneratedRegex(@"\b(?:игнорируи|проигнорируи|игнорируите|забудь|забудьте)\b" + Gap + @"\s+(?:инструкции|указания|правила|команды)\b", Options, TimeoutMs)]
    private static partial Regex OverrideRussian();

    [GeneratedRegex(@"(?:忽略|无视|無視|忽视|忽視|忘记|忘記|不要理会|不要理會)(?:掉)?(?:之前|以前|先前|上面|上述|以上|前面|所有|全部|一切|的|你的|系统|系統){0,4}(?:指令|指示|提示|规则|規則|说明|說明|命令)", Options, TimeoutMs)]
    private static partial Regex OverrideChinese();

    [GeneratedRegex(@"(?:以前|前|上記|これまで|上|先ほど|すべて|全て)の(?:すべての|全ての)?(?:指示|命令|指令|ルール|プロンプト)を(?:すべて|全て)?(?:無視|忘れ)|(?:指示|命令)を(?:すべて|全て)?無視して", Options, TimeoutMs)]
    private static partial Regex OverrideJapanese();

    // Words that make the phrase after them a refusal rather than an instruction ("do not ignore the rules above").
    [GeneratedRegex(@"\b(?:not|never|don't|dont|do\s+not|didn't|won't|shouldn't|mustn't|cannot|can't|no\s+one\s+should)\s+(?:[\w']+\s+){0,3}$", Options, TimeoutMs)]
    private static partial Regex Negation();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/=_-])", Options, TimeoutMs)]
    private static partial Regex Base64Candidate();

    static readonly Rule[] Rules =
    [
        new("instruction_override", 0.9, Override(), OverrideVerbs, negatable: true),
        new("instruction_override", 0.9, OverrideJoined(), ["ignor", "disregard", "forget"], negatable: true),
        new("forget_everything", 0.8, ForgetEverything(), ["forget"], negatable: true),
        new("new_instructions", 0.5, NewInstructions(), ["instruction"]),
        new("special_mode", 0.45, SpecialMode(), ["mode"]),
        new("do_anything_now", 0.9, DoAnythingNow(), ["anything"]),
        new("jailbreak", 0.6, Jailbreak(), ["jailbr"]),
        new("role_play", 0.35, RolePlay(), ["you are now", "you're now", "from now on", "act as", "pretend", "role", "imagine you"]),
        new("no_restrictions", 0.35, NoRestrictions(), ["restriction", "limitation", "filter", "censor", "boundar", "guideline", "polic"]),
        new("system_prompt_extraction", 0.8, SystemPromptExtraction(), ["prompt", "message", "instruction"], negatable: true),
        new("system_prompt_extraction", 0.6, YourInstructions(), ["your"], negatable: true),
        new("system_prompt_extraction", 0.7, RepeatAbove(), ["above"], negatable: true),
        new("chat_template_token", 0.9, ChatTemplateToken(), ["<|", "inst]", "<<sys>>", "<</sys>>"]),
        new("fake_system_message", 0.6, FakeSystemMessage(), ["system", "developer", "admin"]),
        new("instruction_override_de", 0.9, OverrideGerman(), ["anweisung", "instruktion", "regeln", "befehl", "vorgabe"]),
        new("instruction_override_fr", 0.9, OverrideFrench(), ["instruction", "consigne", "regle", "directive"]),
        new("instruction_override_es", 0.9, OverrideSpanish(), ["instruccion", "regla", "indicacion", "directri"]),
        new("instruction_override_it", 0.9, OverrideItalian(), ["istruzion", "regole", "direttiv"]),
        new("instruction_override_pt", 0.9, OverridePortuguese(), ["instruco", "regras", "diretriz"]),
        new("instruction_override_nl", 0.9, OverrideDutch(), ["instructie", "regels", "opdracht"]),
        new("instruction_override_pl", 0.9, OverridePolish(), ["instrukcj", "polecen", "zasad"]),
        new("instruction_override_ru", 0.9, OverrideRussian(), ["инструкц", "указан", "правил", "команд"]),
        new("instruction_override_zh", 0.9, OverrideChinese(), ["指令", "指示", "提示", "规则", "規則", "说明", "說明", "命令"]),
        new("instruction_override_ja", 0.9, OverrideJapanese(), ["指示", "命令", "指令", "ルール", "プロンプト"]),
    ];

    const int MaxBase64Payloads = 8;

    /// <summary>The rules that matched, when together they reach <paramref name="threshold"/>; otherwise none.</summary>
    public static List<Detection> Find(ScannedValue value, double threshold)
    {
        var text = value.Text;
        var hits = new List<Detection>();
        Scan(value.Normalized, hits, null);
        // Base64 payloads are decoded and scanned again (once: a payload inside a payload is not opened).
        if (HasBase64Run(text))
        {
            var payloads = 0;
            foreach (var match in Base64Candidate().EnumerateMatches(text))
            {
                if (++payloads > MaxBase64Payloads) break;
                if (Decode(text.AsSpan(match.Index, match.Length)) is { } decoded) Scan(NormalizedText.Of(decoded), hits, (match.Index, match.Length));
            }
        }
        if (hits.Count == 0) return hits;
        var miss = 1.0;
        foreach (var best in hits.GroupBy(h => h.Entity).Select(g => g.Max(h => h.Score))) miss *= 1 - best;
        return 1 - miss >= threshold - 1e-9 ? hits : [];
    }

    /// <summary>
    /// Which rules have a trigger in <paramref name="text"/>. A vectorised ordinal IndexOf per trigger (measured here
    /// several times faster over 4 KB than one SearchValues of all ~100 triggers); non-ASCII triggers only in non-ASCII text.
    /// </summary>
    static bool[]? TriggeredRules(string text)
    {
        bool[]? triggered = null;
        var span = text.AsSpan();
        var ascii = Ascii.IsValid(span);
        for (var r = 0; r < Rules.Length; r++)
        {
            foreach (var trigger in Rules[r].Triggers)
            {
                if ((!ascii || trigger[0] < 128) && span.IndexOf(trigger, StringComparison.Ordinal) >= 0)
                {
                    (triggered ??= new bool[Rules.Length])[r] = true;
                    break;
                }
            }
        }
        return triggered;
    }

    static void Scan(NormalizedText normalized, List<Detection> hits, (int Start, int Length)? payload)
    {
        var copy = normalized.Text;
        if (TriggeredRules(copy) is not { } triggered) return;
        for (var r = 0; r < Rules.Length; r++)
        {
            if (!triggered[r]) continue;
            var rule = Rules[r];
            foreach (var match in rule.Pattern.EnumerateMatches(copy))
            {
                if (rule.Negatable && Negation().IsMatch(copy.AsSpan(Math.Max(0, match.Index - 40), Math.Min(40, match.Index)))) continue;
                var name = payload is null ? rule.Name : "base64:" + rule.Name;
                var (start, length) = payload ?? normalized.ToOriginal(match.Index, match.Length);
                hits.Add(new(name, start, length, rule.Score));
            }
        }
    }

    /// <summary>Twenty characters of the base64 alphabets in a row: ordinary words are shorter, so the payload pattern is rarely run.</summary>
    static bool HasBase64Run(string text)
    {
        var run = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-')
            {
                if (++run >= 20) return true;
            }
            else run = 0;
        }
        return false;
    }

    static string? Decode(ReadOnlySpan<char> token)
    {
        var text = token.ToString().Replace('-', '+').Replace('_', '/').TrimEnd('=');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        var bytes = new byte[text.Length * 3 / 4];
        if (!Convert.TryFromBase64String(text, bytes, out var written)) return null;
        try
        {
            var decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
            // Random-looking tokens (ids, hashes) decode to binary; only text is scanned.
            var printable = decoded.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
            return printable >= decoded.Length * 0.9 ? decoded : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

using System.Text.RegularExpressions;

namespace PromptHub.Modules.Guardrails;

public enum GuardrailType
{
    Pii,
    PromptInjection,
    Blocklist,
    MaxLength,
}

public enum GuardrailAction
{
    Block,
    Redact,
    Warn,
    Log,
}

/// <summary>A project's rule that checks the variables callers pass to render, before the prompt is rendered.</summary>
public sealed partial class Guardrail
{
    public const int MaxNameLength = 100;

    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public string Name { get; private set; } = "";
    public GuardrailType Type { get; private set; }
    /// <summary>The type's settings as JSON, with defaults filled in (see <see cref="GuardrailSettings"/>).</summary>
    public string Config { get; private set; } = "{}";
    public GuardrailAction Action { get; private set; }
    public bool Active { get; private set; }
    /// <summary>Prompt names (a name ending in `/` is a folder) this applies to; with no tags either, every prompt.</summary>
    public string[] ScopePrompts { get; private set; } = [];
    public string[] ScopeTags { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public string UpdatedBy { get; private set; } = "";

    public static Guardrail Create(Guid projectId, GuardrailDefinition definition, string actor, DateTimeOffset now)
    {
        var guardrail = new Guardrail { Id = Guid.CreateVersion7(now), ProjectId = projectId, CreatedAt = now };
        guardrail.Replace(definition, actor, now);
        return guardrail;
    }

    public void Replace(GuardrailDefinition definition, string actor, DateTimeOffset now)
    {
        Name = definition.Name;
        Type = definition.Type;
        Config = definition.Settings.ToJson();
        Action = definition.Action;
        Active = definition.Active;
        ScopePrompts = definition.ScopePrompts;
        ScopeTags = definition.ScopeTags;
        UpdatedAt = now;
        UpdatedBy = actor;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")]
    private static partial Regex NamePattern();

    public static string? NameError(string? name) =>
        string.IsNullOrEmpty(name) ? "is required"
        : !NamePattern().IsMatch(name) ? $"must be 1–{MaxNameLength} letters, digits, spaces, '.', '_' or '-', starting with a letter or digit"
        : null;

    /// <summary>The API's word for a type or action (`prompt_injection`, `max_length`).</summary>
    public static string Word<T>(T value) where T : struct, Enum => Words<T>.ByValue[value];

    public static T? Parse<T>(string? word) where T : struct, Enum =>
        word is not null && Words<T>.ByWord.TryGetValue(word, out var value) ? value : null;

    public static IEnumerable<string> AllWords<T>() where T : struct, Enum => Words<T>.ByWord.Keys;

    static class Words<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>().ToDictionary(v => v, v => SnakeCase(v.ToString()));
        public static readonly Dictionary<string, T> ByWord = ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        static string SnakeCase(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
    }
}

/// <summary>A validated guardrail definition, as created or replaced.</summary>
public sealed record GuardrailDefinition(string Name, GuardrailType Type, GuardrailSettings Settings, GuardrailAction Action, bool Active,
    string[] ScopePrompts, string[] ScopeTags);

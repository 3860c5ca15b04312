using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// A guardrail's `config`, by type: pii `{entities?}` (default: all), prompt_injection `{threshold?}`
/// (0–1, default 0.5), blocklist `{terms, match?}` (`word` by default, or `substring`), max_length
/// `{maxLength}` (Unicode scalar values per string value).
/// </summary>
public sealed record GuardrailSettings(string[]? Entities = null, double? Threshold = null, string[]? Terms = null, string? Match = null, int? MaxLength = null)
{
    public const double DefaultThreshold = 0.5;
    public const int MaxTerms = 1000, MaxTermLength = 200, MaxMaxLength = 1_000_000;
    public const string WholeWord = "word", Substring = "substring";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static GuardrailSettings FromJson(string json) => JsonSerializer.Deserialize<GuardrailSettings>(json, Json)!;

    static readonly Dictionary<GuardrailType, string[]> Allowed = new()
    {
        [GuardrailType.Pii] = ["entities"],
        [GuardrailType.PromptInjection] = ["threshold"],
        [GuardrailType.Blocklist] = ["terms", "match"],
        [GuardrailType.MaxLength] = ["maxLength"],
    };

    /// <summary>The settings for <paramref name="type"/> from the request's config, defaults filled in; problems go to <paramref name="validation"/>.</summary>
    public static GuardrailSettings Read(GuardrailType type, JsonElement? config, Validation validation)
    {
        JsonElement? Get(string name) =>
            config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        if (config is { } given && given.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            validation.Add("config", "must be a JSON object");
            return new();
        }
        if (config is { ValueKind: JsonValueKind.Object } settings)
        {
            foreach (var property in settings.EnumerateObject())
            {
                if (!Allowed[type].Contains(property.Name, StringComparer.Ordinal))
                {
                    validation.Add($"config.{property.Name}", $"is not a setting of {Guardrail.Word(type)} guardrails (they take: {string.Join(", ", Allowed[type])})");
                }
            }
        }
        switch (type)
        {
            case GuardrailType.Pii:
                var entities = Strings(Get("entities"), "config.entities", validation);
                if (entities is null) return new(Entities: PiiDetector.Entities);
                validation.Check(entities.Length > 0, "config.entities", "must name at least one entity (leave it out for all)");
                foreach (var unknown in entities.Where(e => !PiiDetector.Entities.Contains(e)))
                {
                    validation.Add("config.entities", $"'{unknown}' is not an entity (known: {string.Join(", ", PiiDetector.Entities)})");
                }
                return new(Entities: [.. entities.Distinct(StringComparer.Ordinal)]);

            case GuardrailType.PromptInjection:
                if (Get("threshold") is not { } threshold) return new(Threshold: DefaultThreshold);
                if (threshold.ValueKind != JsonValueKind.Number || !threshold.TryGetDouble(out var value) || value is <= 0 or > 1)
                {
                    validation.Add("config.threshold", "must be a number above 0 and at most 1");
                    return new();
                }
                return new(Threshold: value);

            case GuardrailType.Blocklist:
                var terms = Strings(Get("terms"), "config.terms", validation);
                if (terms is null) validation.Add("config.terms", "is required: the words or phrases to find (no list is shipped)");
                else if (terms.Length is 0 or > MaxTerms) validation.Add("config.terms", $"must have 1 to {MaxTerms} terms");
                else if (terms.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxTermLength || NormalizedText.Of(t).Text.Trim().Length == 0))
                {
                    validation.Add("config.terms", $"every term must have 1 to {MaxTermLength} characters, not only spaces or invisible ones");
                }
                var match = Get("match");
                if (match is { } m && (m.ValueKind != JsonValueKind.String || m.GetString() is not (WholeWord or Substring)))
                {
                    validation.Add("config.match", $"must be '{WholeWord}' or '{Substring}'");
                }
                return new(Terms: terms is null ? null : [.. terms.Select(t => t.Trim()).Distinct(StringComparer.Ordinal)],
                    Match: match?.ValueKind == JsonValueKind.String ? match.Value.GetString() : WholeWord);

            default:
                if (Get("maxLength") is not { } max || max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var length) || length is < 1 or > MaxMaxLength)
                {
                    validation.Add("config.maxLength", $"is required: a whole number from 1 to {MaxMaxLength.ToString(CultureInfo.InvariantCulture)}");
                    return new();
                }
                return new(MaxLength: length);
        }
    }

    static string[]? Strings(JsonElement? value, string field, Validation validation)
    {
        if (value is null) return null;
        if (value.Value.ValueKind != JsonValueKind.Array || value.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            validation.Add(field, "must be an array of strings");
            return [];
        }
        return [.. value.Value.EnumerateArray().Select(e => e.GetString()!)];
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// The content of a version in canonical form: the template (text) or messages (chat) and the format
/// they are written in, the config as JSON with sorted keys, the variables the templates use, and the
/// hash that tells two uploads apart (the same text in another format is another content).
/// </summary>
public sealed record VersionContent(
    PromptType Type,
    TemplateFormat Format,
    string? Template,
    IReadOnlyList<ChatMessage>? Messages,
    string Config,
    IReadOnlyList<string> Variables,
    IReadOnlyList<PromptInclude> IncludedPrompts)
{
    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>The prompt part (template, or messages as canonical JSON) compared for change types.</summary>
    public string PromptText => Type == PromptType.Text ? Template! : MessagesJson(Messages!);

    public string ContentHash =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{Type}\n{TemplateLanguage.Name(Format)}\n{PromptText}\n{Config}"))).ToLowerInvariant();

    public static string MessagesJson(IReadOnlyList<ChatMessage> messages) =>
        JsonSerializer.Serialize(messages.Select(m => m.IsPlaceholder
            ? new JsonObject { ["type"] = ChatMessage.PlaceholderType, ["name"] = m.Name }
            : new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToList(), Compact);

    public static IReadOnlyList<ChatMessage> ParseMessages(string json) =>
        JsonNode.Parse(json)!.AsArray().Select(m => (string?)m!["type"] == ChatMessage.PlaceholderType
            ? ChatMessage.Placeholder((string)m["name"]!)
            : new ChatMessage((string)m["role"]!, (string)m["content"]!)).ToList();

    /// <summary>How this content differs from the version before it.</summary>
    public ChangeType ChangeFrom(VersionContent? previous)
    {
        if (previous is null) return ChangeType.Initial;
        var prompt = previous.PromptText != PromptText || previous.Format != Format;
        var config = previous.Config != Config;
        return (prompt, config) switch
        {
            (true, true) => ChangeType.Both,
            (true, false) => ChangeType.Prompt,
            (false, true) => ChangeType.Config,
            _ => ChangeType.None,
        };
    }

    /// <summary>Objects with keys in ordinal order, recursively, written compactly: equal JSON, equal text.</summary>
    public static string CanonicalJson(JsonNode? node, bool indented = false)
    {
        return JsonSerializer.Serialize(Sort(node), indented ? new JsonSerializerOptions { WriteIndented = true } : Compact);

        static JsonNode? Sort(JsonNode? node) => node switch
        {
            JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
            JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
            null => null,
            _ => node.DeepClone(),
        };
    }
}

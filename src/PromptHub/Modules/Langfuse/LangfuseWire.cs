using System.Text.Json;
using System.Text.Json.Nodes;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Langfuse;

/// <summary>
/// A version as Langfuse's SDKs read it (`Prompt.Text` / `Prompt.Chat` of @langfuse/core): `prompt` is the
/// template string or the message array, chat messages `{role, content}` or `{type: "placeholder", name}`.
/// </summary>
public sealed record LangfusePrompt(string Name, int Version, string Type, JsonNode Prompt, JsonNode? Config,
    IReadOnlyList<string> Labels, IReadOnlyList<string> Tags, string? CommitMessage);

/// <summary>One entry of the list (`PromptMeta`): the versions that match the filters, and their labels.</summary>
public sealed record LangfusePromptMeta(string Name, string Type, IReadOnlyList<int> Versions, IReadOnlyList<string> Labels,
    IReadOnlyList<string> Tags, DateTimeOffset LastUpdatedAt, JsonNode? LastConfig);

public sealed record LangfuseMeta(int Page, int Limit, int TotalItems, int TotalPages);
public sealed record LangfusePromptList(IReadOnlyList<LangfusePromptMeta> Data, LangfuseMeta Meta);

/// <summary>`POST /api/public/v2/prompts` (`CreatePromptRequest`); `prompt` is read by hand as its shape depends on `type`.</summary>
public sealed record LangfuseCreateRequest(string? Name, JsonElement? Prompt, JsonNode? Config, string? Type, string[]? Labels,
    string[]? Tags, string? CommitMessage);

/// <summary>`PATCH /api/public/v2/prompts/{name}/versions/{version}` (`UpdatePromptRequest`).</summary>
public sealed record LangfuseUpdateRequest(string[]? NewLabels);

static class LangfuseJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string TypeName(PromptType type) => type == PromptType.Chat ? "chat" : "text";

    /// <summary>Langfuse's `prompt` of a version: the template, or the messages with placeholders as Langfuse writes them.</summary>
    public static JsonNode PromptOf(string? template, IReadOnlyList<ChatMessage>? messages) =>
        template is not null
            ? JsonValue.Create(template)
            : new JsonArray([.. messages!.Select(m => (JsonNode)(m.IsPlaceholder
                ? new JsonObject { ["type"] = ChatMessage.PlaceholderType, ["name"] = m.Name }
                : new JsonObject { ["role"] = m.Role, ["content"] = m.Content }))]);

    /// <summary>
    /// Langfuse's `prompt` of a create request as PromptHub's upload: a string for text; for chat, an array of
    /// `{role, content, type?: "chatmessage"}` and `{type: "placeholder", name}` (the SDK adds `type` to every item).
    /// </summary>
    public static (string? Template, ChatMessageRequest[]? Messages) ReadPrompt(JsonElement? prompt, PromptType type, Validation validation)
    {
        if (type == PromptType.Text)
        {
            if (prompt is not { ValueKind: JsonValueKind.String } text)
            {
                validation.Add("prompt", "must be a string for a text prompt");
                return (null, null);
            }
            return (text.GetString(), null);
        }
        if (prompt is not { ValueKind: JsonValueKind.Array } array)
        {
            validation.Add("prompt", "must be an array of messages for a chat prompt");
            return (null, null);
        }
        var messages = new List<ChatMessageRequest>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var field = $"prompt[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                validation.Add(field, "must be an object {role, content} or {type: \"placeholder\", name}");
                continue;
            }
            string? role = null, content = null, kind = null, name = null;
            foreach (var property in item.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                if (value is null && property.Value.ValueKind != JsonValueKind.Null)
                {
                    validation.Add($"{field}.{property.Name}", "must be a string");
                    continue;
                }
                switch (property.Name)
                {
                    case "role": role = value; break;
                    case "content": content = value; break;
                    case "type": kind = value; break;
                    case "name": name = value; break;
                    default: validation.Add($"{field}.{property.Name}", "is not a known field"); break;
                }
            }
            if (kind == ChatMessage.PlaceholderType)
            {
                validation.Check(role is null && content is null, field, "a placeholder has only a name");
                messages.Add(new ChatMessageRequest(null, null, ChatMessage.PlaceholderType, name));
            }
            else
            {
                validation.Check(kind is null or "chatmessage", $"{field}.type", "must be 'chatmessage' or 'placeholder'")
                    .Check(name is null, $"{field}.name", "is only for placeholders");
                messages.Add(new ChatMessageRequest(role, content));
            }
        }
        return (null, [.. messages]);
    }
}

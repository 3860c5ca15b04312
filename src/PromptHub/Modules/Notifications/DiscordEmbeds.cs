using System.Globalization;
using System.Text.Json.Nodes;

namespace PromptHub.Modules.Notifications;

/// <summary>
/// Discord messages for outbox events, within Discord's limits (title 256, description 4096, field
/// name 256 and value 1024, 25 fields, 10 embeds and 6000 characters per message): text past a limit
/// is cut with an ellipsis, so building a message never fails.
/// </summary>
public static class DiscordEmbeds
{
    public const int TitleLimit = 256;
    public const int DescriptionLimit = 4096;
    public const int FieldNameLimit = 256;
    public const int FieldValueLimit = 1024;
    public const int FieldsLimit = 25;
    public const int EmbedsPerMessage = 10;
    public const int MessageCharacters = 6000;
    public const int ContentExcerpt = 200;

    /// <summary>Colours by change type: new prompt green, wording blue, settings orange, both purple.</summary>
    static int ColourOf(string? changeType) => changeType switch
    {
        "initial" => 0x2ECC71,
        "prompt" => 0x3498DB,
        "config" => 0xE67E22,
        "both" => 0x9B59B6,
        _ => 0x95A5A6,
    };

    public static JsonObject Embed(string kind, JsonObject payload)
    {
        string? Text(string key) => payload[key]?.GetValue<string>();
        var embed = kind switch
        {
            OutboxKinds.VersionUploaded => new JsonObject
            {
                ["title"] = $"{Text("prompt")} v{payload["version"]}",
                ["color"] = ColourOf(Text("changeType")),
                ["fields"] = new JsonArray(
                    Field("Type", Text("type")), Field("Version", payload["version"]?.ToString()), Field("Author", Text("author")),
                    Field("Change", Text("changeType")), Field("Reason", Text("reason") ?? "(no commit message)"),
                    Field("Content", "```\n" + Excerpt(Text("content")) + "\n```", inline: false)),
            },
            OutboxKinds.ProductionMoved => new JsonObject
            {
                ["title"] = $"{Text("prompt")}: production → v{payload["toVersion"]}",
                ["description"] = $"{Text("action")} from {(payload["fromVersion"] is null ? "nothing" : $"v{payload["fromVersion"]}")} by {Text("actor")}",
                ["color"] = Text("action") == "rollback" ? 0xE74C3C : 0xF1C40F,
                ["fields"] = new JsonArray(Field("Reason", Text("reason") ?? "(no reason given)", inline: false)),
            },
            OutboxKinds.ExperimentEnded => new JsonObject
            {
                ["title"] = $"{Text("prompt")}: {Text("kind")} {Text("experiment")} {Text("outcome")}",
                ["description"] = payload["fromVersion"]?.ToString() == payload["toVersion"]?.ToString()
                    ? $"{Text("label")} stays on v{payload["toVersion"]} (stopped by {Text("actor")})"
                    : $"{Text("label")}: v{payload["fromVersion"]} → v{payload["toVersion"]}{(Text("winner") is { } winner ? $" ('{winner}' won)" : "")} by {Text("actor")}",
                ["color"] = Text("outcome") is "promoted" or "completed" ? 0x2ECC71 : 0x95A5A6,
                ["fields"] = new JsonArray(Field("Reason", Text("reason") ?? "(no reason given)", inline: false)),
            },
            _ => new JsonObject
            {
                ["title"] = Text("title") ?? "PromptHub",
                ["description"] = Text("description"),
                ["color"] = 0x95A5A6,
            },
        };
        // Which project: one webhook may hear several (messages queued before this field existed have none).
        if (Text("project") is { } project)
        {
            if (embed["fields"] is not JsonArray fields) embed["fields"] = fields = [];
            fields.Insert(0, Field("Project", project));
        }
        if (Text("url") is { } url) embed["url"] = url;
        if (Text("at") is { } at) embed["timestamp"] = at;
        embed["footer"] = new JsonObject { ["text"] = "PromptHub" };
        return Fit(embed);
    }

    /// <summary>Embeds in messages of at most 10 embeds and 6000 characters, in order.</summary>
    public static IEnumerable<List<int>> Messages(IReadOnlyList<JsonObject> embeds)
    {
        var current = new List<int>();
        var size = 0;
        for (var i = 0; i < embeds.Count; i++)
        {
            var length = Length(embeds[i]);
            if (current.Count > 0 && (current.Count == EmbedsPerMessage || size + length > MessageCharacters))
            {
                yield return current;
                current = [];
                size = 0;
            }
            current.Add(i);
            size += length;
        }
        if (current.Count > 0) yield return current;
    }

    public static JsonObject Message(string username, IEnumerable<JsonObject> embeds) =>
        new() { ["username"] = username, ["embeds"] = new JsonArray([.. embeds.Select(e => (JsonNode)e.DeepClone())]) };

    public static string Excerpt(string? content) =>
        content is null ? "" : content.Length <= ContentExcerpt ? content : content[..ContentExcerpt] + "…";

    static JsonObject Field(string name, string? value, bool inline = true) =>
        new() { ["name"] = name, ["value"] = string.IsNullOrEmpty(value) ? "—" : value, ["inline"] = inline };

    /// <summary>Every part within its own limit, and the whole within one message's 6000 characters.</summary>
    public static JsonObject Fit(JsonObject embed)
    {
        Cut(embed, "title", TitleLimit);
        Cut(embed, "description", DescriptionLimit);
        if (embed["fields"] is JsonArray fields)
        {
            while (fields.Count > FieldsLimit) fields.RemoveAt(fields.Count - 1);
            foreach (var field in fields.OfType<JsonObject>())
            {
                Cut(field, "name", FieldNameLimit);
                Cut(field, "value", FieldValueLimit);
            }
        }
        // Still too long as a whole: shorten the description, then the longest field values.
        var excess = Length(embed) - MessageCharacters;
        if (excess > 0 && embed["description"]?.GetValue<string>() is { } description)
        {
            Cut(embed, "description", Math.Max(1, description.Length - excess));
            excess = Length(embed) - MessageCharacters;
        }
        while (excess > 0 && embed["fields"] is JsonArray list && list.Count > 0)
        {
            var longest = list.OfType<JsonObject>().MaxBy(f => f["value"]!.GetValue<string>().Length)!;
            var value = longest["value"]!.GetValue<string>();
            if (value.Length <= 1) break;
            Cut(longest, "value", Math.Max(1, value.Length - excess));
            excess = Length(embed) - MessageCharacters;
        }
        return embed;
    }

    /// <summary>What Discord counts towards the 6000: title, description, field names and values, footer, author.</summary>
    public static int Length(JsonObject embed)
    {
        int Of(JsonNode? node) => node?.GetValue<string>().Length ?? 0;
        var length = Of(embed["title"]) + Of(embed["description"]) + Of(embed["footer"]?["text"]) + Of(embed["author"]?["name"]);
        if (embed["fields"] is JsonArray fields)
        {
            foreach (var field in fields.OfType<JsonObject>()) length += Of(field["name"]) + Of(field["value"]);
        }
        return length;
    }

    static void Cut(JsonObject node, string key, int limit)
    {
        if (node[key]?.GetValue<string>() is { } text && text.Length > limit)
        {
            node[key] = text[..(limit - 1)] + "…";
        }
    }

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

public static class OutboxKinds
{
    public const string VersionUploaded = "version_uploaded";
    public const string ProductionMoved = "production_moved";
    public const string ExperimentEnded = "experiment_ended";
    public const string Test = "test";
}

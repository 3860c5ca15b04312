using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PromptHub.Modules.Prompts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PromptHub.Modules.GitSync;

/// <summary>A `.prompt` file that cannot be used: the line (1-based, in the file) and what is wrong.</summary>
public sealed class PromptFileException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>What a `.prompt` file says, with the file lines its parts start on (to place template errors in the file).</summary>
public sealed record PromptFileContent(
    string Type,
    string? Description,
    string[]? Tags,
    JsonObject? Config,
    string[] Labels,
    string? TemplateFormat,
    string? Template,
    ChatMessageRequest[]? Messages,
    int BodyLine,
    int[] MessageLines);

/// <summary>
/// The `.prompt` file format (the README's "Prompts in Git" states the grammar): optional YAML front matter
/// between two `---` lines, then the body — the template of a text prompt, or the messages of a chat prompt,
/// each introduced by a line that is only its role and a colon (`system:`, `user:`, `assistant:`…).
/// </summary>
public static partial class PromptFile
{
    public const string Extension = ".prompt";
    static readonly string[] Keys = ["type", "description", "tags", "config", "labels", "templateFormat"];

    public static PromptFileContent Parse(string text)
    {
        text = text.Replace("\r\n", "\n").TrimStart('\uFEFF');
        var lines = text.Split('\n');
        var bodyStart = 0;
        YamlMappingNode? frontMatter = null;
        if (lines[0].TrimEnd() == "---")
        {
            var close = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
            if (close < 0) throw new PromptFileException(1, "the front matter opened by '---' is never closed by a '---' line");
            frontMatter = ReadYaml(string.Join('\n', lines[1..close]));
            bodyStart = close + 1;
        }
        var body = string.Join('\n', lines[bodyStart..]);
        if (body.EndsWith('\n')) body = body[..^1]; // the file's own final line break
        var bodyLine = bodyStart + 1;

        string type = "text", templateFormat = null!;
        string? description = null;
        string[]? tags = null;
        string[] labels = [];
        JsonObject? config = null;
        foreach (var (keyNode, value) in frontMatter?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var line = (int)keyNode.Start.Line + 1;
            switch (key)
            {
                case "type":
                    type = Scalar(value, key, line);
                    if (type is not ("text" or "chat")) throw new PromptFileException(line, "type must be 'text' or 'chat'");
                    break;
                case "description": description = Scalar(value, key, line); break;
                case "tags": tags = List(value, key, line); break;
                case "labels": labels = List(value, key, line); break;
                case "templateFormat": templateFormat = Scalar(value, key, line); break;
                case "config":
                    config = value is YamlMappingNode ? (JsonObject)ToJson(value)! : throw new PromptFileException(line, "config must be a mapping (model: …, temperature: …)");
                    break;
                default:
                    throw new PromptFileException(line, $"unknown front matter key '{key}' (known: {string.Join(", ", Keys)})");
            }
        }

        if (type == "text")
        {
            return new PromptFileContent(type, description, tags, config, labels, templateFormat, body, null, bodyLine, []);
        }
        var (messages, messageLines) = ReadMessages(lines, bodyStart);
        return new PromptFileContent(type, description, tags, config, labels, templateFormat, null, messages, bodyLine, messageLines);
    }

    /// <summary>Writes a version in the format <see cref="Parse"/> reads back to the same content.</summary>
    public static string Write(PromptType type, TemplateFormat format, string? description, IReadOnlyList<string> tags, string config, string? template, IReadOnlyList<ChatMessage>? messages)
    {
        var text = new StringBuilder("---\n");
        text.Append("type: ").Append(type == PromptType.Chat ? "chat" : "text").Append('\n');
        // JSON strings, arrays and objects are YAML flow values: exact, and one line each.
        if (description is not null) text.Append("description: ").Append(JsonSerializer.Serialize(description)).Append('\n');
        if (tags.Count > 0) text.Append("tags: ").Append(JsonSerializer.Serialize(tags)).Append('\n');
        if (config != "{}") text.Append("config: ").Append(config).Append('\n');
        if (format != TemplateFormat.Scriban) text.Append("templateFormat: ").Append(TemplateLanguage.Name(format)).Append('\n');
        text.Append("---\n");
        if (type == PromptType.Text)
        {
            text.Append(template).Append('\n');
        }
        else
        {
            foreach (var message in messages!) text.Append(message.Role).Append(":\n").Append(message.Content).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Whether <see cref="Write"/> can represent the messages exactly: no content line looks like a role line, no
    /// blank edges, and no placeholder (the file format has no syntax for one).
    /// </summary>
    public static bool CanWrite(IReadOnlyList<ChatMessage>? messages) =>
        messages is null || messages.All(m => m.Content is { } content && !content.Replace("\r\n", "\n").Split('\n').Any(l => RoleLine().IsMatch(l))
            && content.Split('\n') is var contentLines && !string.IsNullOrWhiteSpace(contentLines[0]) && !string.IsNullOrWhiteSpace(contentLines[^1]));

    static YamlMappingNode? ReadYaml(string yaml)
    {
        if (string.IsNullOrWhiteSpace(yaml)) return null;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // The front matter starts on the file's second line.
            throw new PromptFileException((int)e.Start.Line + 1, $"the front matter is not valid YAML: {Innermost(e).Message}");
        }
        if (stream.Documents.Count == 0) return null;
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new PromptFileException(2, "the front matter must be a YAML mapping (key: value lines)");
    }

    static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    static (ChatMessageRequest[], int[]) ReadMessages(string[] lines, int bodyStart)
    {
        var messages = new List<ChatMessageRequest>();
        var starts = new List<int>();
        string? role = null;
        var content = new List<string>();
        var contentStart = 0;
        for (var i = bodyStart; i < lines.Length; i++)
        {
            var match = RoleLine().Match(lines[i]);
            if (match.Success)
            {
                Flush();
                (role, contentStart) = (match.Groups[1].Value.ToLowerInvariant(), i + 1);
                content.Clear();
            }
            else if (role is null && !string.IsNullOrWhiteSpace(lines[i]))
            {
                throw new PromptFileException(i + 1, "a chat prompt's body is messages, each introduced by a role line such as 'system:' or 'user:'");
            }
            else
            {
                content.Add(lines[i]);
            }
        }
        Flush();
        if (messages.Count == 0) throw new PromptFileException(bodyStart + 1, "a chat prompt needs at least one message (a 'user:' line and its text)");
        return ([.. messages], [.. starts]);

        void Flush()
        {
            if (role is null) return;
            // Blank lines around a message's text are layout, not content.
            var first = content.FindIndex(l => !string.IsNullOrWhiteSpace(l));
            var last = content.FindLastIndex(l => !string.IsNullOrWhiteSpace(l));
            var text = first < 0 ? "" : string.Join('\n', content.GetRange(first, last - first + 1));
            messages.Add(new ChatMessageRequest(role, text));
            starts.Add(contentStart + 1 + Math.Max(first, 0));
        }
    }

    static string Scalar(YamlNode node, string key, int line) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new PromptFileException(line, $"{key} must be a single value");

    static string[] List(YamlNode node, string key, int line) =>
        node is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode { Value: not null })
            ? [.. sequence.Children.Select(c => ((YamlScalarNode)c).Value!)]
            : throw new PromptFileException(line, $"{key} must be a list of values, e.g. [a, b]");

    /// <summary>YAML to JSON with the YAML 1.2 core schema: unquoted null, booleans and numbers are typed, the rest are strings.</summary>
    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain } plain => Plain(plain.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new PromptFileException((int)node.Start.Line + 1, "aliases are not supported in config"),
    };

    static JsonNode? Plain(string value) => value switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when NumberText().IsMatch(value) => JsonNode.Parse(value.TrimStart('+')),
        _ => JsonValue.Create(value),
    };

    [GeneratedRegex(@"^(system|developer|user|assistant|tool):\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleLine();

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberText();
}

namespace PromptHub.Modules.Prompts;

/// <summary>
/// One immutable version of a prompt. There is no code path that changes one, and a database
/// trigger refuses UPDATE on the table.
/// </summary>
public sealed class PromptVersion
{
    public Guid PromptId { get; private set; }
    public Guid ProjectId { get; private set; }
    public int Version { get; private set; }
    public PromptType Type { get; private set; }
    public TemplateFormat TemplateFormat { get; private set; }
    public string? Template { get; private set; }
    /// <summary>Chat messages as JSON `[{role, content}]`.</summary>
    public string? Messages { get; private set; }
    /// <summary>Free JSON object (model, temperature…), canonical: keys sorted.</summary>
    public string Config { get; private set; } = "{}";
    public string[] Variables { get; private set; } = [];
    /// <summary>Prompts this one includes, as `name@label`.</summary>
    public string[] Includes { get; private set; } = [];
    public string? CommitMessage { get; private set; }
    public string Author { get; private set; } = "";
    public ChangeType ChangeType { get; private set; }
    public int? ParentVersion { get; private set; }
    public string ContentHash { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    internal static PromptVersion Create(Prompt prompt, int version, int? parent, VersionContent content, ChangeType changeType,
        string? commitMessage, string author, DateTimeOffset now) =>
        new()
        {
            PromptId = prompt.Id,
            ProjectId = prompt.ProjectId,
            Version = version,
            Type = content.Type,
            TemplateFormat = content.Format,
            Template = content.Template,
            Messages = content.Messages is null ? null : VersionContent.MessagesJson(content.Messages),
            Config = content.Config,
            Variables = [.. content.Variables],
            Includes = [.. content.IncludedPrompts.Select(r => r.ToString())],
            CommitMessage = commitMessage,
            Author = author,
            ChangeType = changeType,
            ParentVersion = parent,
            ContentHash = content.ContentHash,
            CreatedAt = now,
        };

    /// <summary>The content in canonical form (PostgreSQL's jsonb reorders keys and spacing on the way back).</summary>
    public VersionContent Content() =>
        new(Type, TemplateFormat, Template, Messages is null ? null : VersionContent.ParseMessages(Messages),
            VersionContent.CanonicalJson(System.Text.Json.Nodes.JsonNode.Parse(Config)), Variables,
            Includes.Select(r => PromptInclude.Parse(r)!).ToList());
}

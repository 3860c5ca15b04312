using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

using PromptHub.Platform;

namespace PromptHub.Modules.Prompts;

public record PromptView(
    string Name, string Type, string? Description, string[] Tags,
    IReadOnlyDictionary<string, int> Labels, int? LatestVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A prompt with its latest version, as `GET /prompts/{name}` answers it.</summary>
public sealed record PromptDetailView([property: JsonIgnore] PromptView Prompt, VersionView? Latest)
    : PromptView(Prompt.Name, Prompt.Type, Prompt.Description, Prompt.Tags, Prompt.Labels, Prompt.LatestVersion, Prompt.CreatedAt, Prompt.UpdatedAt);

public sealed record VersionView(
    string Name, int Version, string Type, string TemplateFormat, string? Template, IReadOnlyList<ChatMessage>? Messages, JsonNode? Config,
    IReadOnlyList<string> Variables, string? CommitMessage, string Author, string ChangeType, int? ParentVersion,
    string ContentHash, DateTimeOffset CreatedAt, IReadOnlyList<string> Labels);

public sealed record LabelMoveView(string Label, int? FromVersion, int ToVersion, string Action, string? Reason, string Actor, DateTimeOffset CreatedAt,
    int? Percent, string? Experiment);

/// <summary>A label after an activation or rollback; <see cref="Changed"/> is false when it already pointed there.</summary>
public sealed record LabelView(string Name, string Label, int Version, int? PreviousVersion, bool Changed, LabelMoveView? Move);

public sealed record DiffPart(bool Changed, string Diff);
public sealed record VersionDiffView(string Name, int Version, int? Against, string ChangeType, DiffPart Prompt, DiffPart Config);

static class PromptViews
{
    public static PromptView ToView(Prompt prompt, IReadOnlyDictionary<string, int> labels) =>
        new(prompt.Name, EnumText.Lower(prompt.Type), prompt.Description, prompt.Tags, labels,
            prompt.LatestVersion == 0 ? null : prompt.LatestVersion, prompt.CreatedAt, prompt.UpdatedAt);

    public static PromptDetailView ToDetail(Prompt prompt, IReadOnlyDictionary<string, int> labels, PromptVersion? latest) =>
        new(ToView(prompt, labels), latest is null ? null : ToView(prompt, latest, labels));

    /// <summary>A version with the labels that point at it (`latest` included when it is the highest).</summary>
    public static VersionView ToView(Prompt prompt, PromptVersion version, IReadOnlyDictionary<string, int> labels)
    {
        var pointing = labels.Where(l => l.Value == version.Version).Select(l => l.Key).Order(StringComparer.Ordinal).ToList();
        if (version.Version == prompt.LatestVersion) pointing.Add(PromptRules.Latest);
        return new VersionView(prompt.Name, version.Version, EnumText.Lower(version.Type), TemplateLanguage.Name(version.TemplateFormat), version.Template,
            version.Messages is null ? null : VersionContent.ParseMessages(version.Messages),
            JsonNode.Parse(version.Config), version.Variables, version.CommitMessage, version.Author,
            EnumText.Lower(version.ChangeType), version.ParentVersion, version.ContentHash, version.CreatedAt, pointing);
    }

    public static LabelMoveView ToView(LabelMove move) =>
        new(move.Label, move.FromVersion, move.ToVersion, EnumText.Lower(move.Action), move.Reason, move.Actor, move.CreatedAt, move.Percent, move.Experiment);

    public static LabelView ToView(LabelChange change) =>
        new(change.Prompt.Name, change.Label.Name, change.Label.Version, change.PreviousVersion, change.Move is not null,
            change.Move is null ? null : ToView(change.Move));
}

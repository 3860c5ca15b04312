using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

/// <summary>Queues the announcements of production uploads (and, if asked, of `production` label moves) in the outbox, in the change's transaction.</summary>
/// A new project's example prompts are never announced; every announcement names its project.
sealed class ProductionAnnouncements(NotificationSwitch notifications, IOptions<DiscordOptions> options, IOptions<PromptHubOptions> settings,
    IProjectSlugs projects) : IPromptEvents
{
    public async Task VersionCreatedAsync(PromptHubDb db, VersionCreated version, CancellationToken ct)
    {
        var prompt = version.Prompt;
        if (!notifications.Enabled || version.Example || options.Value.RouteFor(prompt.Name, prompt.Tags) is not { } webhook) return;
        var payload = new JsonObject
        {
            ["project"] = await SlugAsync(projects, prompt.ProjectId, ct),
            ["prompt"] = prompt.Name,
            ["version"] = version.Version,
            ["type"] = EnumText.Lower(version.Type),
            ["author"] = version.Author,
            ["changeType"] = EnumText.Lower(version.ChangeType),
            ["reason"] = version.CommitMessage,
            ["content"] = DiscordEmbeds.Excerpt(version.Template ?? string.Join("\n", version.Messages!.Select(m => $"[{m.Role}] {m.Content}"))),
            ["at"] = DiscordEmbeds.Iso(version.CreatedAt),
            ["url"] = Link(prompt.Name, version.Version),
        };
        db.Outbox.Add(OutboxMessage.Create($"version:{prompt.Id:N}:{version.Version}", prompt.ProjectId, OutboxKinds.VersionUploaded, webhook, payload, version.CreatedAt));
    }

    public async Task LabelMovedAsync(PromptHubDb db, LabelMoved move, CancellationToken ct)
    {
        var prompt = move.Prompt;
        if (!notifications.Enabled || move.Example || !options.Value.AnnounceProductionLabelMoves || move.Label != PromptRules.Production ||
            options.Value.RouteFor(prompt.Name, prompt.Tags) is not { } webhook)
        {
            return;
        }
        var payload = new JsonObject
        {
            ["project"] = await SlugAsync(projects, prompt.ProjectId, ct),
            ["prompt"] = prompt.Name,
            ["fromVersion"] = move.FromVersion,
            ["toVersion"] = move.ToVersion,
            ["action"] = EnumText.Lower(move.Action),
            ["actor"] = move.Actor,
            ["reason"] = move.Reason,
            ["at"] = DiscordEmbeds.Iso(move.CreatedAt),
            ["url"] = Link(prompt.Name, move.ToVersion),
        };
        db.Outbox.Add(OutboxMessage.Create($"label:{move.Id}", prompt.ProjectId, OutboxKinds.ProductionMoved, webhook, payload, move.CreatedAt));
    }

    /// <summary>The project's slug, which every announcement shows (one webhook may hear several projects).</summary>
    public static async Task<string?> SlugAsync(IProjectSlugs projects, Guid projectId, CancellationToken ct) =>
        (await projects.SlugsAsync([projectId], ct)).GetValueOrDefault(projectId);

    /// <summary>The version in PromptHub, when PromptHub:PublicUrl says where PromptHub is.</summary>
    string? Link(string prompt, int version) =>
        settings.Value.PublicUrl is { Length: > 0 } publicUrl
            ? $"{publicUrl.TrimEnd('/')}/api/v1/prompts/{Uri.EscapeDataString(prompt)}/versions/{version}"
            : null;
}

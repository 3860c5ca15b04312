using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

/// <summary>Queues the announcements of production uploads (and, if asked, of `production` label moves) in the outbox, in the change's transaction.</summary>
sealed class ProductionAnnouncements(NotificationSwitch notifications, IOptions<DiscordOptions> options, IOptions<PromptHubOptions> settings) : IPromptEvents
{
    public Task VersionCreatedAsync(PromptHubDb db, VersionCreated version, CancellationToken ct)
    {
        var prompt = version.Prompt;
        if (!notifications.Enabled || options.Value.RouteFor(prompt.Name, prompt.Tags) is not { } webhook) return Task.CompletedTask;
        var payload = new JsonObject
        {
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
        return Task.CompletedTask;
    }

    public Task LabelMovedAsync(PromptHubDb db, LabelMoved move, CancellationToken ct)
    {
        var prompt = move.Prompt;
        if (!notifications.Enabled || !options.Value.AnnounceProductionLabelMoves || move.Label != PromptRules.Production ||
            options.Value.RouteFor(prompt.Name, prompt.Tags) is not { } webhook)
        {
            return Task.CompletedTask;
        }
        var payload = new JsonObject
        {
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
        return Task.CompletedTask;
    }

    /// <summary>The version in PromptHub, when PromptHub:PublicUrl says where PromptHub is.</summary>
    string? Link(string prompt, int version) =>
        settings.Value.PublicUrl is { Length: > 0 } publicUrl
            ? $"{publicUrl.TrimEnd('/')}/api/v1/prompts/{Uri.EscapeDataString(prompt)}/versions/{version}"
            : null;
}

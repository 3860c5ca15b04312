using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

/// <summary>Queues the announcement of an experiment or rollout that ended, when PromptHub:Discord:AnnounceExperimentEnds is on.</summary>
sealed class ExperimentAnnouncements(NotificationSwitch notifications, IOptions<DiscordOptions> options, IProjectSlugs projects) : IExperimentEvents
{
    public async Task ExperimentEndedAsync(PromptHubDb db, PromptInfo prompt, ExperimentEnded ended, CancellationToken ct)
    {
        if (!notifications.Enabled || !options.Value.AnnounceExperimentEnds || options.Value.RouteFor(prompt.Name, prompt.Tags) is not { } webhook)
        {
            return;
        }
        var payload = new JsonObject
        {
            ["project"] = await ProductionAnnouncements.SlugAsync(projects, prompt.ProjectId, ct),
            ["prompt"] = prompt.Name,
            ["experiment"] = ended.Key,
            ["kind"] = ended.IsRollout ? "rollout" : "experiment",
            ["label"] = ended.Label,
            ["outcome"] = EnumText.Lower(ended.Outcome),
            ["winner"] = ended.Winner,
            ["fromVersion"] = ended.FromVersion,
            ["toVersion"] = ended.ToVersion,
            ["actor"] = ended.Actor,
            ["reason"] = ended.Reason,
            ["at"] = DiscordEmbeds.Iso(ended.At),
        };
        db.Outbox.Add(OutboxMessage.Create($"experiment:{ended.ExperimentId:N}:ended", prompt.ProjectId, OutboxKinds.ExperimentEnded, webhook, payload, ended.At));
    }
}

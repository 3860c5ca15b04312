using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// What other modules may do when the registry changes, inside the same transaction (so that what they
/// write — an outbox message, say — exists exactly when the change does). Published by the Prompts
/// module; the Notifications module implements it.
/// </summary>
public interface IPromptEvents
{
    Task VersionCreatedAsync(PromptHubDb db, Prompt prompt, PromptVersion version, CancellationToken ct);

    Task LabelMovedAsync(PromptHubDb db, Prompt prompt, LabelMove move, CancellationToken ct);
}

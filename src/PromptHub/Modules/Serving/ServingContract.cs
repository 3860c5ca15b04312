using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Serving;

// What other modules may use of the Serving module: this file, nothing else.

/// <summary>A live prompt as other modules see it: its id, type, labels and highest version (versions have no gaps).</summary>
public sealed record CatalogPrompt(Guid Id, string Name, PromptType Type, int LatestVersion, IReadOnlyDictionary<string, int> Labels);

/// <summary>
/// What the Serving module publishes for the others (analytics, experiments): a project's live prompts,
/// answered from the serving cache, so that checking a prompt costs no query on busy paths.
/// </summary>
public interface IPromptCatalog
{
    ValueTask<CatalogPrompt?> FindAsync(Guid projectId, string name);
}

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

/// <summary>
/// A version as resolve serves it, with its prompt's labels and highest version as the serving cache has them:
/// the template or messages with includes inlined (or as stored, when asked), <see cref="Config"/> as JSON text.
/// </summary>
public sealed record ResolvedPrompt(Guid PromptId, string Name, int LatestVersion, IReadOnlyDictionary<string, int> Labels,
    int Version, PromptType Type, string? Template, IReadOnlyList<ChatMessage>? Messages, string Config);

/// <summary>
/// Resolve for other modules' read APIs (the Langfuse API): a label's target or an explicit version, from the
/// serving cache, so it keeps answering as resolve does. No subject: experiments do not assign here.
/// </summary>
public interface IPromptResolution
{
    /// <summary>The version <paramref name="version"/>, or else the one <paramref name="label"/> (default `production`) points at; 404 when there is none.</summary>
    ValueTask<ResolvedPrompt> ResolveAsync(Guid projectId, string name, string? label, int? version, bool inlineIncludes);
}

using System.Collections.Concurrent;
using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Serving;

/// <summary>A prompt as served: its labels and the versions they (and `latest`) point at.</summary>
sealed class ServedPrompt(Guid id, Guid projectId, string name, PromptType type, int latestVersion, IReadOnlyDictionary<string, int> labels,
    string[] tags)
{
    public Guid Id { get; } = id;
    public Guid ProjectId { get; } = projectId;
    public string Name { get; } = name;
    public PromptType Type { get; } = type;
    public int LatestVersion { get; } = latestVersion;
    public IReadOnlyDictionary<string, int> Labels { get; } = labels;
    /// <summary>The prompt's tags, which guardrail scopes select by.</summary>
    public string[] Tags { get; } = tags;

    /// <summary>Versions loaded so far; the label targets and the latest come with the prompt.</summary>
    public ConcurrentDictionary<int, Task<ServedVersion?>> Versions { get; } = new();

    /// <summary>What other modules may know of it (<see cref="IPromptCatalog"/>).</summary>
    public CatalogPrompt Catalog => field ??= new CatalogPrompt(Id, Name, Type, LatestVersion, Labels);

    public int? TargetOf(string label) => label == PromptRules.Latest
        ? (LatestVersion == 0 ? null : LatestVersion)
        : Labels.TryGetValue(label, out var version) ? version : null;
}

using System.Collections.Concurrent;

namespace PromptHub.Modules.Serving;

/// <summary>
/// The resolve answers built for one version, by how it was asked for (<see cref="Resolution.AnswerKey"/>:
/// the label, and the experiment variant if any): bytes and ETag, built once and reused until the prompt
/// (or one it includes) changes, when the version leaves the cache and its answers with it.
/// </summary>
sealed class AnswerCache
{
    readonly ConcurrentDictionary<string, ResolvedContent> _answers = new(StringComparer.Ordinal);

    public bool TryGet(string key, out ResolvedContent answer) => _answers.TryGetValue(key, out answer!);

    public void Set(string key, ResolvedContent answer) => _answers[key] = answer;
}

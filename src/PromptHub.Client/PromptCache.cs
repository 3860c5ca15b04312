using System.Collections.Concurrent;

namespace PromptHub.Client;

readonly record struct CacheKey(string Name, string Label);

/// <summary>A version's content as last fetched, with the ETag to revalidate it.</summary>
sealed record VersionContent(int Version, PromptContent Content, string? ETag);

/// <summary>
/// What the client knows of one prompt + label: the label's target, the experiment running there (if any) and
/// the content of its variants' versions — enough to serve any subject without a round trip.
/// </summary>
sealed class CachedPrompt(VersionContent target, RunningExperiment? experiment, IReadOnlyDictionary<int, VersionContent> variants, DateTimeOffset fetchedAt)
{
    int _refreshing;

    public VersionContent Target { get; } = target;
    public RunningExperiment? Experiment { get; } = experiment;
    public IReadOnlyDictionary<int, VersionContent> Variants { get; } = variants;
    public DateTimeOffset FetchedAt { get; } = fetchedAt;

    /// <summary>For least-recently-used eviction; written by every read (a lost update only ages an entry a little).</summary>
    public long LastUsed;

    /// <summary>After a failed refresh, the next is not tried before this (so a down server is not asked on every call).</summary>
    public DateTimeOffset RetryNotBefore;

    /// <summary>Claims the one background refresh of this entry.</summary>
    public bool TryStartRefresh() => Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

    public void EndRefresh() => Volatile.Write(ref _refreshing, 0);

    public VersionContent ContentOf(int version) =>
        version == Target.Version ? Target : Variants.TryGetValue(version, out var content) ? content : Target;
}

/// <summary>
/// The entries by prompt + label, bounded: past <c>max</c> the least recently used tenth goes. Entries never
/// expire on their own — a stale entry is what keeps the service working while PromptHub is down.
/// </summary>
sealed class PromptCache(int max)
{
    readonly ConcurrentDictionary<CacheKey, CachedPrompt> _entries = new();
    long _clock;

    public int Count => _entries.Count;

    public bool TryGet(CacheKey key, out CachedPrompt entry)
    {
        if (!_entries.TryGetValue(key, out entry!)) return false;
        entry.LastUsed = Interlocked.Increment(ref _clock);
        return true;
    }

    public void Set(CacheKey key, CachedPrompt entry)
    {
        entry.LastUsed = Interlocked.Increment(ref _clock);
        _entries[key] = entry;
        if (_entries.Count > max) Evict();
    }

    public void Remove(CacheKey key) => _entries.TryRemove(key, out _);

    void Evict()
    {
        var excess = _entries.Count - max + Math.Max(1, max / 10);
        foreach (var (key, _) in _entries.ToArray().OrderBy(e => e.Value.LastUsed).Take(excess)) _entries.TryRemove(key, out _);
    }
}

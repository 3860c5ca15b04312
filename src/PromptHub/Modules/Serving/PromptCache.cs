using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Serving;

/// <summary>
/// Each project's prompts, in memory. A miss reads the database once however many requests wait for
/// it (they share the one load); an entry is dropped only when the change feed says its prompt — or a
/// prompt it includes — changed, so there is no expiry and no polling. While the feed is down, entries
/// keep being served (the answer says it may be stale); when it is back, everything is dropped.
/// </summary>
sealed class PromptCache : IChangeSubscriber, IPromptCatalog
{
    readonly ConcurrentDictionary<PromptKey, Lazy<Task<ServedPrompt?>>> _prompts = new();
    /// <summary>For each prompt, the prompts whose cached answers include it.</summary>
    readonly ConcurrentDictionary<PromptKey, ConcurrentDictionary<PromptKey, byte>> _includedBy = new();
    readonly ServingStore _store;
    readonly ChangeFeed _feed;

    public PromptCache(ServingStore store, ChangeFeed feed, IOptions<ServingOptions> options)
    {
        (_store, _feed, Enabled) = (store, feed, options.Value.Cache);
        feed.Subscribe(this);
    }

    public bool Enabled { get; }

    /// <summary>True when an answer may miss a change: the feed that announces changes is down.</summary>
    public bool MayBeStale => Enabled && !_feed.IsLive;

    public ValueTask<ServedPrompt?> GetAsync(Guid projectId, string name)
    {
        if (!Enabled) return new(_store.LoadPromptAsync(projectId, name, CancellationToken.None));

        var key = new PromptKey(projectId, name);
        var entry = _prompts.GetOrAdd(key, k => new Lazy<Task<ServedPrompt?>>(
            // Not the request's token: other requests share this load.
            () => _store.LoadPromptAsync(k.ProjectId, k.Name, CancellationToken.None)));
        var load = entry.Value;
        return load.IsCompletedSuccessfully ? new(load.Result) : AwaitLoad(key, entry, load);
    }

    async ValueTask<ServedPrompt?> AwaitLoad(PromptKey key, Lazy<Task<ServedPrompt?>> entry, Task<ServedPrompt?> load)
    {
        try
        {
            return await load;
        }
        catch
        {
            _prompts.TryRemove(KeyValuePair.Create(key, entry)); // the next request tries again
            throw;
        }
    }

    async ValueTask<CatalogPrompt?> IPromptCatalog.FindAsync(Guid projectId, string name) => (await GetAsync(projectId, name))?.Catalog;

    public ValueTask<ServedVersion?> GetVersionAsync(ServedPrompt prompt, int version)
    {
        var load = prompt.Versions.GetOrAdd(version, v => _store.LoadVersionAsync(prompt.Id, v, CancellationToken.None));
        if (load.IsCompletedSuccessfully) return new(load.Result);
        return AwaitVersion(prompt, version, load);
    }

    static async ValueTask<ServedVersion?> AwaitVersion(ServedPrompt prompt, int version, Task<ServedVersion?> load)
    {
        try
        {
            return await load;
        }
        catch
        {
            prompt.Versions.TryRemove(KeyValuePair.Create(version, load));
            throw;
        }
    }

    /// <summary>Records that answers of <paramref name="including"/> contain <paramref name="included"/>'s text.</summary>
    public void RecordInclude(ServedPrompt including, ServedPrompt included)
    {
        if (!Enabled) return;
        _includedBy.GetOrAdd(new PromptKey(included.ProjectId, included.Name), _ => new())
            .TryAdd(new PromptKey(including.ProjectId, including.Name), 0);
    }

    public void Changed(string topic, string key)
    {
        if (topic != PromptChanges.Topic) return;
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !Guid.TryParseExact(key[..slash], "N", out var projectId)) return;
        Drop(new PromptKey(projectId, key[(slash + 1)..]), depth: 0);
    }

    void Drop(PromptKey key, int depth)
    {
        _prompts.TryRemove(key, out _);
        if (depth > PromptInclude.MaxDepth + 1 || !_includedBy.TryRemove(key, out var including)) return;
        foreach (var other in including.Keys) Drop(other, depth + 1);
    }

    public void Reset()
    {
        _prompts.Clear();
        _includedBy.Clear();
    }

    readonly record struct PromptKey(Guid ProjectId, string Name);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PromptHub.Client;

/// <summary>What an LLM service uses of PromptHub: get a prompt (cached, experiment-aware, with fallbacks) and report its executions.</summary>
public interface IPromptHub
{
    /// <summary>
    /// The prompt to use now for <paramref name="subject"/>: the <paramref name="label"/>'s target (default
    /// <c>production</c>) or, while an experiment or rollout runs on that label, the variant the subject is
    /// assigned to — computed locally, exactly as the server would. Served from the cache while younger than the
    /// TTL; past it, served at once while one background refresh (an <c>If-None-Match</c> revalidation) runs.
    /// When the prompt was never fetched and the server cannot be reached, the first fallback found is served:
    /// <paramref name="fallback"/>, then configuration (<c>PromptHub:Fallbacks:{name}</c>), then
    /// <see cref="PromptHubClientOptions.DefaultFallbacks"/>; <see cref="Prompt.Source"/> says which.
    /// </summary>
    /// <exception cref="PromptNotFoundException">The server has no such prompt or label.</exception>
    /// <exception cref="PromptHubUnavailableException">The server cannot be reached and there is no fallback.</exception>
    /// <exception cref="PromptHubException">The server refused the call (e.g. a bad key).</exception>
    Task<Prompt> GetPromptAsync(string name, string? subject = null, string? label = null, FallbackPrompt? fallback = null,
        CancellationToken cancellationToken = default);

    /// <summary>Starts timing one use of <paramref name="prompt"/>; complete (or dispose) it to report it in the background.</summary>
    PromptExecution StartExecution(Prompt prompt);

    /// <summary>Sends every execution completed so far (normally sent in batches in the background).</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts of execution reporting: sent, duplicates, dropped, refused, buffered.</summary>
    ExecutionReportingCounts Reporting { get; }
}

/// <summary>The PromptHub client; one per service (a singleton), safe to use from any thread.</summary>
public sealed class PromptHubClient : IPromptHub, IAsyncDisposable
{
    readonly PromptHubApi _api;
    readonly ExecutionReporter _reporter;
    readonly PromptHubClientOptions _options;
    readonly IConfiguration? _configuration;
    readonly ILogger _log;
    readonly TimeProvider _time;
    readonly PromptRenderer _renderer;
    readonly PromptCache _cache;
    readonly ConcurrentDictionary<CacheKey, Lazy<Task<CachedPrompt>>> _loads = new();

    internal PromptHubClient(PromptHubApi api, ExecutionReporter reporter, IOptions<PromptHubClientOptions> options, IConfiguration? configuration,
        ILogger<PromptHubClient> log, TimeProvider time)
    {
        (_api, _reporter, _options, _configuration, _log, _time) = (api, reporter, options.Value, configuration, log, time);
        _renderer = new PromptRenderer(_options.StrictRendering);
        _cache = new PromptCache(Math.Max(1, _options.MaxCacheEntries));
    }

    /// <inheritdoc />
    public ExecutionReportingCounts Reporting => _reporter.Counts;

    /// <summary>How many prompt + label entries the cache holds.</summary>
    public int CachedPrompts => _cache.Count;

    /// <inheritdoc />
    public async Task<Prompt> GetPromptAsync(string name, string? subject = null, string? label = null, FallbackPrompt? fallback = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        label ??= _options.DefaultLabel;
        // The server refuses an empty subject; here it means "no subject", so that a missing user id cannot break a call.
        subject = string.IsNullOrWhiteSpace(subject) ? null : subject;
        var key = new CacheKey(name, label);

        if (_cache.TryGet(key, out var cached))
        {
            if (_time.GetUtcNow() - cached.FetchedAt < _options.CacheTtl) return Serve(key, cached, subject, PromptSource.Cache);
            RefreshInBackground(key, cached);
            return Serve(key, cached, subject, PromptSource.StaleCache);
        }

        try
        {
            var loaded = await LoadOnceAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
            return Serve(key, loaded, subject, PromptSource.Server);
        }
        catch (PromptHubUnavailableException e)
        {
            var served = Fallback(key, subject, fallback);
            if (served is null) throw;
            _log.LogWarning("PromptHub cannot be reached and '{Prompt}' was never fetched: serving its {Source} ({Error})", name, served.Source, e.Message);
            return served;
        }
    }

    /// <inheritdoc />
    public PromptExecution StartExecution(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return new PromptExecution(_reporter, prompt, _time);
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) => _reporter.FlushAsync(cancellationToken);

    /// <summary>Sends what is buffered (within <see cref="ExecutionReportingOptions.ShutdownFlushTimeout"/>) and stops reporting.</summary>
    public ValueTask DisposeAsync() => _reporter.DisposeAsync();

    /// <summary>The first load of a key, shared by every caller that asks meanwhile (no stampede).</summary>
    Task<CachedPrompt> LoadOnceAsync(CacheKey key)
    {
        var load = _loads.GetOrAdd(key, k => new Lazy<Task<CachedPrompt>>(() => LoadAsync(k)));
        return load.Value;
    }

    async Task<CachedPrompt> LoadAsync(CacheKey key)
    {
        try
        {
            var entry = await FetchAsync(key, null, CancellationToken.None).ConfigureAwait(false);
            _cache.Set(key, entry);
            return entry;
        }
        finally
        {
            _loads.TryRemove(key, out _);
        }
    }

    void RefreshInBackground(CacheKey key, CachedPrompt cached)
    {
        if (_time.GetUtcNow() < cached.RetryNotBefore || !cached.TryStartRefresh()) return;
        _ = Task.Run(async () =>
        {
            try
            {
                _cache.Set(key, await FetchAsync(key, cached, CancellationToken.None).ConfigureAwait(false));
            }
            catch (PromptNotFoundException e)
            {
                _cache.Remove(key);
                _log.LogWarning("'{Prompt}' ({Label}) is gone from PromptHub ({Error}); it is no longer served from the cache", key.Name, key.Label, e.Message);
            }
            catch (Exception e)
            {
                // Keep serving the stale entry; ask again after a while, not on every call.
                cached.RetryNotBefore = _time.GetUtcNow() + Min(_options.CacheTtl, TimeSpan.FromSeconds(5));
                _log.LogWarning("Could not refresh '{Prompt}' ({Label}) from PromptHub; serving the cached version {Version} fetched at {FetchedAt:O}: {Error}",
                    key.Name, key.Label, cached.Target.Version, cached.FetchedAt, e.Message);
            }
            finally
            {
                cached.EndRefresh();
            }
        });
    }

    /// <summary>
    /// Revalidates (or loads) one entry: the label's target with <c>If-None-Match</c>, the experiment running on the label,
    /// and each variant's version (also revalidated), so that any subject can then be served without a round trip.
    /// </summary>
    async Task<CachedPrompt> FetchAsync(CacheKey key, CachedPrompt? previous, CancellationToken ct)
    {
        var fetched = await _api.ResolveAsync(key.Name, key.Label, null, previous?.Target.ETag, ct).ConfigureAwait(false);
        var target = fetched.NotModified ? previous!.Target : ToContent(fetched.Answer!, fetched.ETag);
        var experiment = await _api.RunningExperimentAsync(key.Name, key.Label, ct).ConfigureAwait(false);
        var variants = new Dictionary<int, VersionContent>();
        foreach (var version in experiment?.Variants.Select(v => v.Version).Distinct() ?? [])
        {
            if (version == target.Version) continue;
            var known = previous?.Variants.GetValueOrDefault(version);
            var answer = await _api.ResolveAsync(key.Name, null, version, known?.ETag, ct).ConfigureAwait(false);
            variants[version] = answer.NotModified ? known! : ToContent(answer.Answer!, answer.ETag);
        }
        return new CachedPrompt(target, experiment, variants, _time.GetUtcNow());
    }

    static VersionContent ToContent(ResolveAnswer answer, string? etag) =>
        new(answer.Version, new PromptContent(answer.Template, answer.Messages, answer.Config ?? PromptContent.EmptyConfig, answer.Variables ?? [], answer.TemplateFormat), etag);

    Prompt Serve(CacheKey key, CachedPrompt entry, string? subject, PromptSource source)
    {
        var content = entry.Target;
        ExperimentVariant? assigned = null;
        if (subject is not null && entry.Experiment is { } experiment)
        {
            var index = VariantAssignment.VariantOf(VariantAssignment.Bucket(experiment.Seed, subject), experiment.Weights);
            if (index >= 0)
            {
                var variant = experiment.Variants[index];
                content = entry.ContentOf(variant.Version);
                assigned = new ExperimentVariant(experiment.Key, variant.Name);
            }
        }
        return new Prompt(key.Name, content.Version, key.Label, assigned, subject, source, content.Content, _renderer, entry.FetchedAt);
    }

    Prompt? Fallback(CacheKey key, string? subject, FallbackPrompt? perCall)
    {
        var (fallback, source) = perCall is not null ? (perCall, PromptSource.CallFallback)
            : Configured(key.Name) is { } configured ? (configured, PromptSource.ConfiguredFallback)
            : _options.DefaultFallbacks.TryGetValue(key.Name, out var shipped) ? (shipped, PromptSource.DefaultFallback)
            : (null, PromptSource.Server);
        return fallback is null ? null : new Prompt(key.Name, null, key.Label, null, subject, source, PromptContent.From(fallback), _renderer, null);
    }

    /// <summary>
    /// <c>PromptHub:Fallbacks:{name}</c>: a template as the value, or <c>Template</c>, or <c>Messages</c> (each with
    /// <c>Role</c> and <c>Content</c>). The name's slashes may also be written as section separators
    /// (<c>PromptHub__Fallbacks__support__triage</c> in an environment variable).
    /// </summary>
    FallbackPrompt? Configured(string name)
    {
        if (_configuration is null) return null;
        foreach (var path in new[] { name, name.Replace('/', ':') })
        {
            var section = _configuration.GetSection($"PromptHub:Fallbacks:{path}");
            if (!string.IsNullOrEmpty(section.Value)) return FallbackPrompt.Text(section.Value);
            if (section["Template"] is { Length: > 0 } template) return FallbackPrompt.Text(template);
            var messages = section.GetSection("Messages").GetChildren()
                .Select(m => new PromptMessage(m["Role"] ?? "user", m["Content"] ?? ""))
                .ToList();
            if (messages.Count > 0) return FallbackPrompt.Chat(messages);
        }
        return null;
    }

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>
/// Finds the caller for a secret. Answers are cached so that authentication costs no database round
/// trip on the serving path. A revocation reaches every instance through the change feed; the cache
/// lifetime only bounds how long a key stays accepted if that notification was lost.
/// </summary>
sealed class ApiKeyDirectory : IChangeSubscriber
{
    public const string ChangeTopic = "key";

    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    /// <summary>Unknown secrets are remembered briefly too, so a client retrying a bad key costs no query each time.</summary>
    public static readonly TimeSpan UnknownLifetime = TimeSpan.FromSeconds(5);
    const int MaxCachedKeys = 10_000;

    /// <summary>
    /// By secret, so that a cached key costs no hashing (SHA-256 is only needed to ask the database);
    /// the hash is kept to find the entry a revocation names.
    /// </summary>
    readonly ConcurrentDictionary<string, (CallerPrincipal? Principal, string? PublicId, string Hash, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    readonly IServiceScopeFactory _scopes;
    readonly TimeProvider _time;
    readonly KeyUsage _usage;

    public ApiKeyDirectory(IServiceScopeFactory scopes, TimeProvider time, KeyUsage usage, ChangeFeed changes)
    {
        (_scopes, _time, _usage) = (scopes, time, usage);
        changes.Subscribe(this);
    }

    public ValueTask<CallerPrincipal?> FindAsync(string secret, CancellationToken cancellationToken) =>
        FindAsync(secret, publicId: null, cancellationToken);

    /// <summary>
    /// The caller for a secret; with <paramref name="publicId"/> (Basic auth), only if the key's public id is
    /// that one too, so a secret sent beside another key's public id is refused.
    /// </summary>
    public async ValueTask<CallerPrincipal?> FindAsync(string secret, string? publicId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(secret, out var cached) && cached.Expires > now)
        {
            return Accept(cached.Principal, cached.PublicId, publicId, now);
        }

        var hash = ApiKey.Hash(secret);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var found = await db.ApiKeys
            .Where(k => k.SecretHash == hash && k.RevokedAt == null)
            .Select(k => new { Caller = new Caller(k.Id, k.ProjectId, k.Role, k.Name), k.PublicId })
            .SingleOrDefaultAsync(cancellationToken);
        var principal = found is null ? null : new CallerPrincipal(found.Caller);
        if (_cache.Count >= MaxCachedKeys) _cache.Clear();
        _cache[secret] = (principal, found?.PublicId, ChangeKey(hash), now + (found is null ? UnknownLifetime : CacheLifetime));
        return Accept(principal, found?.PublicId, publicId, now);
    }

    CallerPrincipal? Accept(CallerPrincipal? principal, string? keyPublicId, string? sentPublicId, DateTimeOffset now)
    {
        if (principal is null || (sentPublicId is not null && !string.Equals(sentPublicId, keyPublicId, StringComparison.Ordinal))) return null;
        _usage.Record(principal.Caller.KeyId, now);
        return principal;
    }

    /// <summary>A key by its id, if it exists and is not revoked (for signed-in cookies, which hold no secret).</summary>
    public async Task<Caller?> FindByIdAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        return await db.ApiKeys
            .Where(k => k.Id == keyId && k.RevokedAt == null)
            .Select(k => new Caller(k.Id, k.ProjectId, k.Role, k.Name))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public static string ChangeKey(byte[] secretHash) => Convert.ToBase64String(secretHash);

    public void Changed(string topic, string key)
    {
        if (topic != ChangeTopic) return;
        foreach (var (secret, entry) in _cache)
        {
            if (entry.Hash == key) _cache.TryRemove(secret, out _);
        }
    }

    public void Reset() => _cache.Clear();
}

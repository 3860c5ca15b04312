using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>
/// Keeps `last used` of keys without a write per request: the first use of a key in each minute is
/// queued and written by a background loop, a few rows per statement.
/// </summary>
sealed class KeyUsage
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastQueued = new();
    readonly Channel<(Guid KeyId, DateTimeOffset At)> _queue =
        Channel.CreateBounded<(Guid, DateTimeOffset)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public ChannelReader<(Guid KeyId, DateTimeOffset At)> Queue => _queue.Reader;

    public void Record(Guid keyId, DateTimeOffset now)
    {
        if (_lastQueued.TryGetValue(keyId, out var last) && now - last < Resolution) return;
        _lastQueued[keyId] = now;
        _queue.Writer.TryWrite((keyId, now));
    }
}

sealed class KeyUsageWriter(KeyUsage usage, IServiceScopeFactory scopes, ILogger<KeyUsageWriter> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new Dictionary<Guid, DateTimeOffset>();
        try
        {
            while (await usage.Queue.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < 500 && usage.Queue.TryRead(out var use)) batch[use.KeyId] = use.At;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
                    foreach (var (keyId, at) in batch)
                    {
                        await db.ApiKeys.Where(k => k.Id == keyId && (k.LastUsedAt == null || k.LastUsedAt < at))
                            .ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, at), stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Usage times are best effort: a database outage must not stop the loop.
                    log.LogWarning("Could not record API key usage: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

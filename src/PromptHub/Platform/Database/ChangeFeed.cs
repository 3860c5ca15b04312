using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PromptHub.Platform.Database;

/// <summary>
/// Tells every instance that something cached has changed, through PostgreSQL LISTEN/NOTIFY: a write
/// announces a change inside its transaction (delivered at commit, never for a rollback), the
/// announcing instance applies it at once, and every other instance applies it when the notification
/// arrives — no polling. Payloads are `topic:key`. When the listening connection is lost,
/// notifications may have been missed: subscribers are told the feed is <see cref="IsLive"/> false
/// (serve what they have, marked stale) and, once it is back, to forget everything.
/// </summary>
public sealed class ChangeFeed
{
    public const string Channel = "prompthub_changes";

    readonly List<IChangeSubscriber> _subscribers = [];

    /// <summary>True while the listening connection is up, so that no change can be missed.</summary>
    public bool IsLive { get; private set; }

    public void Subscribe(IChangeSubscriber subscriber)
    {
        lock (_subscribers) _subscribers.Add(subscriber);
    }

    /// <summary>Queues the notification in the caller's transaction; it is sent when that commits.</summary>
    static Task AnnounceAsync(PromptHubDb db, string topic, string key, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {topic + ":" + key})", ct);

    /// <summary>
    /// The one way a write announces a change: queued in its transaction (sent only if <paramref name="commit"/>
    /// commits it), then applied on this instance at once; the others apply it when the notification arrives.
    /// </summary>
    public async Task CommitAsync(PromptHubDb db, Func<CancellationToken, Task> commit, string topic, string key, CancellationToken ct)
    {
        await AnnounceAsync(db, topic, key, ct);
        await commit(ct);
        Apply(topic, key);
    }

    /// <summary>Applies a change on this instance (after the commit that announced it).</summary>
    public void Apply(string topic, string key)
    {
        foreach (var subscriber in Subscribers()) subscriber.Changed(topic, key);
    }

    internal void Receive(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0) Apply(payload[..colon], payload[(colon + 1)..]);
    }

    internal void SetLive(bool live)
    {
        if (IsLive == live) return;
        IsLive = live;
        // Whatever was cached before the feed came back may have missed a change.
        if (live) foreach (var subscriber in Subscribers()) subscriber.Reset();
    }

    IChangeSubscriber[] Subscribers()
    {
        lock (_subscribers) return [.. _subscribers];
    }
}

public interface IChangeSubscriber
{
    void Changed(string topic, string key);

    /// <summary>Forget everything: changes may have been missed.</summary>
    void Reset();
}

/// <summary>Holds the LISTEN connection open, reconnecting with back-off when it is lost.</summary>
sealed class ChangeListener(ChangeFeed feed, NpgsqlDataSource dataSource, ILogger<ChangeListener> log) : BackgroundService
{
    static readonly TimeSpan LivenessCheck = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => feed.Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChangeFeed.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (!feed.IsLive)
                {
                    // Pooled connections opened before an outage are dead: drop them rather than fail a request on each.
                    dataSource.Clear();
                }
                feed.SetLive(true);
                log.LogInformation("Listening for changes on {Channel}", ChangeFeed.Channel);
                delay = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // Waits for notifications; when none came for a while, a trivial query proves the
                    // connection is still alive (a silently dead one would otherwise wait forever).
                    // Neither gets the stopping token: cancelling it would make Npgsql send PostgreSQL a
                    // cancel request on the stopping thread, which a hanging server holds for 30 s.
                    if (!await connection.WaitAsync(LivenessCheck))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)LivenessCheck.TotalSeconds };
                        await ping.ExecuteScalarAsync(CancellationToken.None);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (feed.IsLive) log.LogWarning("Lost the change feed ({Error}); serving cached data as possibly stale until it is back", e.Message);
                feed.SetLive(false);
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }
}

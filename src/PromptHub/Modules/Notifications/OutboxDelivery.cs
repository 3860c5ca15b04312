using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

public sealed record DeliveryReport(int Delivered, int Retrying, int Failed, int Messages);

/// <summary>
/// Drains the outbox. Due messages are claimed with a lease (`FOR UPDATE SKIP LOCKED`), so two
/// instances never send the same one; a crashed instance's lease runs out and the message is claimed
/// again. Claimed messages of one webhook are batched into as few Discord messages as its limits allow.
/// Results are recorded only while the lease is still this instance's.
/// </summary>
sealed class OutboxDelivery(NpgsqlDataSource dataSource, DiscordWebhookClient discord, IOptions<DiscordOptions> options, TimeProvider time,
    ILogger<OutboxDelivery> log)
{
    const int ClaimSize = 50;
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    /// <summary>This instance, in leases.</summary>
    static readonly string Node = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<DeliveryReport> DeliverDueAsync(CancellationToken ct)
    {
        var report = new DeliveryReport(0, 0, 0, 0);
        while (!ct.IsCancellationRequested)
        {
            var claimed = await ClaimAsync(ct);
            foreach (var group in claimed.GroupBy(m => m.Webhook))
            {
                report = Add(report, await DeliverAsync(group.Key, group.ToList(), ct));
            }
            if (claimed.Count < ClaimSize) break;
        }
        return report;
    }

    async Task<DeliveryReport> DeliverAsync(string webhook, List<Claimed> messages, CancellationToken ct)
    {
        var settings = options.Value;
        var route = settings.Webhooks().FirstOrDefault(w => w.Name == webhook);
        if (route is null)
        {
            await RecordAsync(messages, Outcome.Failed($"the webhook '{webhook}' is no longer configured"));
            return new DeliveryReport(0, 0, messages.Count, 0);
        }

        var embeds = messages.Select(m => DiscordEmbeds.Embed(m.Kind, JsonNode.Parse(m.Payload)!.AsObject())).ToList();
        var report = new DeliveryReport(0, 0, 0, 0);
        foreach (var chunk in DiscordEmbeds.Messages(embeds))
        {
            var batch = chunk.Select(i => messages[i]).ToList();
            var answer = await discord.SendAsync(route.WebhookUrl, DiscordEmbeds.Message(settings.Username, chunk.Select(i => embeds[i])), ct);
            var outcome = answer switch
            {
                DiscordAnswer.Delivered delivered => Outcome.Delivered(delivered.MessageId),
                DiscordAnswer.RetryAfter wait => Outcome.Later(wait.Wait, wait.Description),
                DiscordAnswer.Transient => Outcome.Retry(answer.Description),
                _ => Outcome.Failed(answer.Description), // Gone, Rejected: retrying would not help
            };
            if (answer is DiscordAnswer.Gone)
            {
                log.LogError("The Discord webhook '{Webhook}' no longer exists (404): create a new webhook and update its setting; {Count} message(s) failed",
                    webhook, batch.Count);
            }
            else if (outcome.State != OutboxState.Delivered)
            {
                log.LogWarning("Discord delivery to webhook '{Webhook}' did not go through: {Reason}", webhook, outcome.Error);
            }
            await RecordAsync(batch, outcome);
            report = Add(report, outcome.State switch
            {
                OutboxState.Delivered => new DeliveryReport(batch.Count, 0, 0, 1),
                OutboxState.Failed => new DeliveryReport(0, 0, batch.Count, 1),
                _ => new DeliveryReport(0, batch.Count, 0, 1),
            });
        }
        return report;
    }

    async Task<List<Claimed>> ClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE notifications.outbox o SET state = 'sending', lease_until = $2, leased_by = $3, attempts = o.attempts + 1
            WHERE o.id IN (
                SELECT id FROM notifications.outbox
                WHERE (state = 'pending' AND next_attempt_at <= $1) OR (state = 'sending' AND lease_until < $1)
                ORDER BY created_at LIMIT $4
                FOR UPDATE SKIP LOCKED)
            RETURNING o.id, o.kind, o.webhook, o.payload::text, o.created_at
            """);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(now + Lease);
        command.Parameters.AddWithValue(Node);
        command.Parameters.AddWithValue(ClaimSize);
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new Claimed(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return [.. claimed.OrderBy(c => c.CreatedAt)];
    }

    /// <summary>
    /// Records an outcome for messages still leased by this instance. A retry waits 2^attempts seconds
    /// (at most 10 minutes, ±20 %); past MaxAttempts the message is dead. A 429 does not use up an attempt.
    /// </summary>
    async Task RecordAsync(List<Claimed> messages, Outcome outcome)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE notifications.outbox SET
                state = CASE WHEN $2 = 'pending' AND NOT $8 AND attempts >= $7 THEN 'dead' ELSE $2 END,
                attempts = CASE WHEN $8 THEN attempts - 1 ELSE attempts END,
                next_attempt_at = CASE WHEN $2 <> 'pending' THEN next_attempt_at
                                       WHEN $6::interval IS NOT NULL THEN $5 + $6::interval
                                       ELSE $5 + least(power(2, attempts), 600) * (0.8 + random() * 0.4) * interval '1 second' END,
                last_error = $3, discord_message_id = $4,
                delivered_at = CASE WHEN $2 = 'delivered' THEN $5 END,
                lease_until = NULL, leased_by = NULL
            WHERE id = ANY($1) AND leased_by = $9 AND state = 'sending'
            """);
        command.Parameters.AddWithValue(messages.Select(m => m.Id).ToArray());
        command.Parameters.AddWithValue(EnumText.Lower(outcome.State));
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Varchar, (object?)outcome.Error ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Varchar, (object?)outcome.MessageId ?? DBNull.Value);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Interval, (object?)outcome.Wait ?? DBNull.Value);
        command.Parameters.AddWithValue(options.Value.MaxAttempts);
        command.Parameters.AddWithValue(outcome.Wait is not null);
        command.Parameters.AddWithValue(Node);
        // Not the job's token: an answer Discord gave must be recorded even while shutting down.
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    static DeliveryReport Add(DeliveryReport a, DeliveryReport b) =>
        new(a.Delivered + b.Delivered, a.Retrying + b.Retrying, a.Failed + b.Failed, a.Messages + b.Messages);

    sealed record Claimed(Guid Id, string Kind, string Webhook, string Payload, DateTimeOffset CreatedAt);

    sealed record Outcome(OutboxState State, string? Error, string? MessageId, TimeSpan? Wait)
    {
        public static Outcome Delivered(string? messageId) => new(OutboxState.Delivered, null, messageId, null);
        public static Outcome Retry(string error) => new(OutboxState.Pending, error, null, null);
        public static Outcome Later(TimeSpan wait, string error) => new(OutboxState.Pending, error, null, wait);
        public static Outcome Failed(string error) => new(OutboxState.Failed, error, null, null);
    }
}

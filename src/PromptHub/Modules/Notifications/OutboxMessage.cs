using System.Text.Json.Nodes;

namespace PromptHub.Modules.Notifications;

public enum OutboxState
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,
    /// <summary>Claimed by an instance until its lease ends.</summary>
    Sending,
    Delivered,
    /// <summary>Refused by Discord (a 4xx other than 429): not retried.</summary>
    Failed,
    /// <summary>Out of attempts: visible, and retryable by hand.</summary>
    Dead,
}

/// <summary>
/// A notification to deliver, written in the same transaction as the event it announces. Its event
/// key is unique, so the same event is never queued twice; it names its webhook by route name only —
/// the URL is a secret kept in configuration.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; private set; }
    public string EventKey { get; private set; } = "";
    public Guid ProjectId { get; private set; }
    public string Kind { get; private set; } = "";
    public string Webhook { get; private set; } = "";
    /// <summary>The event's facts (prompt, version, author…), from which the Discord embed is built.</summary>
    public string Payload { get; private set; } = "{}";
    public OutboxState State { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? LeaseUntil { get; private set; }
    public string? LeasedBy { get; private set; }
    public string? LastError { get; private set; }
    public string? DiscordMessageId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }

    public static OutboxMessage Create(string eventKey, Guid projectId, string kind, string webhook, JsonObject payload, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            EventKey = eventKey,
            ProjectId = projectId,
            Kind = kind,
            Webhook = webhook,
            Payload = payload.ToJsonString(),
            State = OutboxState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace PromptHub.Modules.Notifications;

/// <summary>What Discord answered to a message.</summary>
public abstract record DiscordAnswer
{
    /// <summary>What happened, as the outbox records it and the test message answers it (never the URL).</summary>
    public abstract string Description { get; }

    public sealed record Delivered(string? MessageId) : DiscordAnswer
    {
        public override string Description => "delivered";
    }

    /// <summary>429: rate limited; Discord says when to come back.</summary>
    public sealed record RetryAfter(TimeSpan Wait) : DiscordAnswer
    {
        public override string Description => $"rate limited by Discord for {Wait.TotalSeconds:0.###} s";
    }

    /// <summary>5xx, timeouts, network errors, after the quick retries.</summary>
    public sealed record Transient(string Reason) : DiscordAnswer
    {
        public override string Description => Reason;
    }

    /// <summary>A 4xx other than 429 (bad payload, forbidden): retrying would not help.</summary>
    public sealed record Rejected(int Status, string Reason) : DiscordAnswer
    {
        public override string Description => $"Discord answered {Status}: {Reason}";
    }

    /// <summary>404: the webhook was deleted.</summary>
    public sealed record Gone : DiscordAnswer
    {
        public override string Description => "Discord answered 404: the webhook no longer exists";
    }
}

/// <summary>
/// Discord's webhook API, as much of it as PromptHub needs (Discord.Net.Webhook is not served here):
/// POST the message with `?wait=true` so that Discord confirms it with the message's id. Network errors,
/// timeouts and 5xx are retried a few times at once by the HttpClient's resilience handler
/// (<see cref="AddDiscordResilience"/>); all other answers go back to the outbox, which decides. The URL
/// is never logged (the client's own logging is removed) nor put in an error.
/// </summary>
public sealed class DiscordWebhookClient(HttpClient http)
{
    /// <summary>
    /// Quick retries with exponential back-off and jitter (a `Retry-After` on a 5xx is honoured), then a
    /// timeout per attempt. A 429 is not retried here: the outbox waits its `retry_after` without holding a worker.
    /// </summary>
    public static void AddDiscordResilience(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, DiscordOptions settings)
    {
        if (settings.QuickRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => (int)response.StatusCode >= 500,
                    _ => false,
                }),
                MaxRetryAttempts = settings.QuickRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(settings.QuickRetryDelayMilliseconds),
            });
        }
        pipeline.AddTimeout(TimeSpan.FromSeconds(settings.TimeoutSeconds));
    }

    public async Task<DiscordAnswer> SendAsync(string webhookUrl, JsonObject message, CancellationToken ct)
    {
        var url = webhookUrl + (webhookUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "wait=true";
        HttpResponseMessage response;
        try
        {
            var body = message.ToJsonString();
            // A buffered body (with Content-Length), which each attempt sends again.
            response = await http.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new DiscordAnswer.Transient(e is HttpRequestException http ? $"network error: {http.HttpRequestError}" : "timed out");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode) return new DiscordAnswer.Delivered(Field(body, "id"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var seconds = double.TryParse(Field(body, "retry_after"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s
                    : response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1;
                return new DiscordAnswer.RetryAfter(TimeSpan.FromSeconds(Math.Clamp(seconds, 0.1, 3600)));
            }
            if (response.StatusCode == HttpStatusCode.NotFound) return new DiscordAnswer.Gone();
            if (status >= 500) return new DiscordAnswer.Transient($"Discord answered {status}");
            var reason = Field(body, "message") ?? response.ReasonPhrase ?? "";
            return new DiscordAnswer.Rejected(status, reason.Length > 300 ? reason[..300] : reason);
        }
    }

    /// <summary>A top-level value of a JSON answer, as text (null when absent or not JSON).</summary>
    static string? Field(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

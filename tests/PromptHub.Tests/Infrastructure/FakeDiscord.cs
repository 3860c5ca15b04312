using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PromptHub.Tests.Infrastructure;

/// <summary>
/// A stand-in for Discord's webhook API on a loopback port: records every request and answers from a
/// script (then 200 with a message id, as Discord does with `?wait=true`).
/// </summary>
public sealed class FakeDiscord : IAsyncDisposable
{
    public enum Reply { Ok, RateLimited, ServerError, Hang, BadRequest, NotFound }

    public sealed record Request(string Webhook, string Query, JsonNode Body, DateTimeOffset At, Reply Answer);

    readonly ConcurrentQueue<Reply> _script = new();
    readonly ConcurrentQueue<Request> _requests = new();
    WebApplication? _app;
    int _ids;

    public string BaseUrl { get; private set; } = "";
    public double RetryAfterSeconds { get; set; } = 1.5;
    /// <summary>When the script is empty.</summary>
    public Reply Otherwise { get; set; } = Reply.Ok;

    /// <summary>A webhook URL of this fake; the token is what must never be seen anywhere.</summary>
    public string Webhook(string id = "1001", string? token = null) => $"{BaseUrl}/api/webhooks/{id}/{token ?? Token(id)}";

    public static string Token(string id) => $"secret-token-{id}-do-not-log";

    public IReadOnlyList<Request> Requests => [.. _requests];

    /// <summary>The messages Discord accepted (answered 200).</summary>
    public IReadOnlyList<Request> Delivered => [.. _requests.Where(r => r.Answer == Reply.Ok)];

    public void Then(params Reply[] replies)
    {
        foreach (var reply in replies) _script.Enqueue(reply);
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/api/webhooks/{id}/{token}", Answer);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    async Task Answer(HttpContext context, string id)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
        var reply = _script.TryDequeue(out var next) ? next : Otherwise;
        _requests.Enqueue(new Request(id, context.Request.QueryString.Value ?? "", body, DateTimeOffset.UtcNow, reply));
        var response = context.Response;
        switch (reply)
        {
            case Reply.Ok:
                await response.WriteAsJsonAsync(new { id = $"{Interlocked.Increment(ref _ids)}", channel_id = "42" });
                break;
            case Reply.RateLimited:
                response.StatusCode = 429;
                response.Headers.RetryAfter = Math.Ceiling(RetryAfterSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await response.WriteAsJsonAsync(new { message = "You are being rate limited.", retry_after = RetryAfterSeconds, global = false });
                break;
            case Reply.ServerError:
                response.StatusCode = 500;
                break;
            case Reply.Hang:
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); } catch (OperationCanceledException) { }
                break;
            case Reply.BadRequest:
                response.StatusCode = 400;
                await response.WriteAsJsonAsync(new { message = "Invalid Form Body", code = 50035 });
                break;
            case Reply.NotFound:
                response.StatusCode = 404;
                await response.WriteAsJsonAsync(new { message = "Unknown Webhook", code = 10015 });
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}

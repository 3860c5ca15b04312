using Serilog;
using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromptHub.Client;

namespace PromptHub.Tests.Client;

/// <summary>A response as the client saw it: what it asked and what came back.</summary>
public sealed record SeenResponse(HttpMethod Method, string Path, HttpStatusCode Status, DateTimeOffset At);

/// <summary>
/// An LLM service's host with the PromptHub client added the way a user adds it (one line of DI), pointed at a
/// PromptHub: the in-process app (its test handler), a real process on a port, or nothing at all. Every response
/// the client receives is recorded, so tests can count 304s, retries and batches.
/// </summary>
public sealed class ClientHost : IAsyncDisposable
{
    readonly ConcurrentQueue<SeenResponse> _responses = new();

    ClientHost(Uri baseUrl, string apiKey, Func<HttpMessageHandler>? primary, Action<PromptHubClientOptions>? configure,
        IDictionary<string, string?>? settings, Func<HttpRequestMessage, int, bool>? loseAnswer)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        // The client logs through Microsoft.Extensions.Logging; the captured lines are the same Serilog sink the app's tests read.
        builder.Logging.AddSerilog(new Serilog.LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(Logs).CreateLogger(), dispose: true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var http = builder.Services.AddPromptHubClient(o =>
        {
            o.BaseUrl = baseUrl;
            o.ApiKey = apiKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            configure?.Invoke(o);
        });
        if (primary is not null) http.ConfigurePrimaryHttpMessageHandler(primary);
        http.AddHttpMessageHandler(() => new Recorder(_responses, loseAnswer));
        Host = builder.Build();
        Hub = Host.Services.GetRequiredService<PromptHubClient>();
    }

    public IHost Host { get; }
    public PromptHubClient Hub { get; }
    public CapturedLogs Logs { get; } = new();
    public IReadOnlyList<SeenResponse> Responses => [.. _responses];

    /// <summary>The client of an in-process app.</summary>
    public static async Task<ClientHost> StartAsync(AppFactory app, string apiKey, Action<PromptHubClientOptions>? configure = null,
        IDictionary<string, string?>? settings = null, Func<HttpRequestMessage, int, bool>? loseAnswer = null)
    {
        var host = new ClientHost(app.Server.BaseAddress, apiKey, app.Server.CreateHandler, configure, settings, loseAnswer);
        await host.Host.StartAsync();
        return host;
    }

    /// <summary>The client of a PromptHub over the network (a real port, up or not).</summary>
    public static async Task<ClientHost> StartAsync(Uri baseUrl, string apiKey, Action<PromptHubClientOptions>? configure = null,
        IDictionary<string, string?>? settings = null)
    {
        var host = new ClientHost(baseUrl, apiKey, null, configure, settings, null);
        await host.Host.StartAsync();
        return host;
    }

    public int Count(string pathPart, HttpStatusCode status) => Responses.Count(r => r.Path.Contains(pathPart, StringComparison.Ordinal) && r.Status == status);

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }

    /// <summary>
    /// Records each response. <c>loseAnswer(request, n)</c> (n counts requests to the same path) can make the answer of a
    /// request the server did handle never reach the client — as when a connection drops after the server wrote it.
    /// </summary>
    sealed class Recorder(ConcurrentQueue<SeenResponse> responses, Func<HttpRequestMessage, int, bool>? loseAnswer) : DelegatingHandler
    {
        readonly ConcurrentDictionary<string, int> _counts = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            var n = _counts.AddOrUpdate(request.RequestUri.AbsolutePath, 1, (_, c) => c + 1);
            var response = await base.SendAsync(request, cancellationToken);
            responses.Enqueue(new SeenResponse(request.Method, path, response.StatusCode, DateTimeOffset.UtcNow));
            if (loseAnswer?.Invoke(request, n) == true)
            {
                response.Dispose();
                throw new HttpRequestException("The connection was reset after the request was sent (the answer was lost).");
            }
            return response;
        }
    }
}

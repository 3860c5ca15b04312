using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using PromptHub.Client;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Client;

/// <summary>PromptHub unreachable: a real server process that is stopped, or a port nothing listens on.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task With_the_server_stopped_an_expired_prompt_is_served_at_once_from_the_cache_and_reports_wait_in_a_bounded_buffer()
    {
        var database = TestDatabase.NewName();
        try
        {
            using var server = new AppProcess(await TestDatabase.CreateAsync(database));
            await server.WaitUntilReadyAsync();
            var baseUrl = new Uri($"http://127.0.0.1:{server.Port}");
            using var admin = new HttpClient { BaseAddress = baseUrl };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppProcess.AdminKey);
            await admin.CreateTextPromptAsync("client/outage", "Hello {{name}}");
            await admin.ActivateAsync("client/outage", "production", 1);

            var ttl = TimeSpan.FromMilliseconds(300);
            await using var client = await ClientHost.StartAsync(baseUrl, AppProcess.AdminKey, o =>
            {
                o.CacheTtl = ttl;
                o.RequestTimeout = TimeSpan.FromSeconds(3);
                o.MaxRetries = 5;
                o.RetryDelay = TimeSpan.FromMilliseconds(500);
                o.Reporting.BatchSize = 10;
                o.Reporting.MaxBufferedExecutions = 100;
                o.Reporting.FlushInterval = TimeSpan.FromMilliseconds(50);
            });
            Assert.Equal(PromptSource.Server, (await client.Hub.GetPromptAsync("client/outage")).Source);

            server.Process.Kill(entireProcessTree: true);
            await server.Process.WaitForExitAsync();
            await Task.Delay(ttl * 2);

            // A refresh against the stopped server takes 3 s (retries with back-off until the call's timeout); the caller does not wait for it.
            for (var call = 0; call < 20; call++)
            {
                var timer = Stopwatch.StartNew();
                var prompt = await client.Hub.GetPromptAsync("client/outage", fallback: FallbackPrompt.Text("fallback {{name}}"));
                Assert.True(timer.Elapsed < TimeSpan.FromSeconds(1), $"waited {timer.Elapsed}");
                Assert.Equal((1, PromptSource.StaleCache), (prompt.Version, prompt.Source));
                Assert.Equal("Hello Ada", prompt.Render(new { name = "Ada" }));
            }
            await HttpAssertions.EventuallyAsync(() =>
            {
                Assert.Contains(client.Logs.Lines, l => l.Contains("Could not refresh 'client/outage' (production)", StringComparison.Ordinal));
                return Task.CompletedTask;
            }, TimeSpan.FromSeconds(20));

            // Executions of the stale prompt wait for the server in a buffer of 100: the oldest beyond it are dropped, counted and logged.
            var stale = await client.Hub.GetPromptAsync("client/outage");
            for (var i = 0; i < 300; i++) client.Hub.StartExecution(stale).Complete(success: true, inputTokens: 5, outputTokens: 7);
            var counts = client.Hub.Reporting;
            Assert.InRange(counts.Dropped, 190, 200);
            Assert.Equal(0, counts.Sent);
            Assert.Contains(client.Logs.Lines, l => l.Contains("The execution buffer is full (100)", StringComparison.Ordinal));
            await HttpAssertions.EventuallyAsync(() =>
            {
                Assert.Contains(client.Logs.Lines, l => l.Contains("Could not send 10 executions to PromptHub", StringComparison.Ordinal));
                return Task.CompletedTask;
            }, TimeSpan.FromSeconds(20));
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public async Task A_prompt_never_fetched_falls_back_to_the_call_then_configuration_then_the_shipped_default()
    {
        var nowhere = new Uri($"http://127.0.0.1:{ClosedPort()}");
        var settings = new Dictionary<string, string?>
        {
            ["PromptHub:Fallbacks:support/triage"] = "Configured: triage {{ticket}}",
            ["PromptHub:Fallbacks:support:classify:Messages:0:Role"] = "system",
            ["PromptHub:Fallbacks:support:classify:Messages:0:Content"] = "Configured: classify {{ticket}}",
        };
        await using var client = await ClientHost.StartAsync(nowhere, "phk_reader-key", o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(2);
            o.DefaultFallbacks["support/triage"] = FallbackPrompt.Text("Shipped: triage {{ticket}}");
            o.DefaultFallbacks["support/reply"] = FallbackPrompt.Text("Shipped: reply to {{ticket}}", new { model = "gpt-4o-mini" });
        }, settings);

        var perCall = await client.Hub.GetPromptAsync("support/triage", subject: "user-1", fallback: FallbackPrompt.Text("Call: triage {{ticket}}"));
        Assert.Equal((PromptSource.CallFallback, true, (int?)null), (perCall.Source, perCall.IsFallback, perCall.Version));
        Assert.Equal("Call: triage T-1", perCall.Render(new { ticket = "T-1" }));

        var configured = await client.Hub.GetPromptAsync("support/triage");
        Assert.Equal((PromptSource.ConfiguredFallback, "Configured: triage T-2"), (configured.Source, configured.Render(new { ticket = "T-2" })));
        var chat = await client.Hub.GetPromptAsync("support/classify");
        Assert.Equal((PromptSource.ConfiguredFallback, "chat"), (chat.Source, chat.Type));
        Assert.Equal([new PromptMessage("system", "Configured: classify T-3")], chat.RenderMessages(new { ticket = "T-3" }));

        var shipped = await client.Hub.GetPromptAsync("support/reply");
        Assert.Equal((PromptSource.DefaultFallback, "gpt-4o-mini"), (shipped.Source, shipped.Model));

        var error = await Assert.ThrowsAsync<PromptHubUnavailableException>(() => client.Hub.GetPromptAsync("support/other"));
        Assert.Contains(nowhere.Authority, error.Message, StringComparison.Ordinal);
        Assert.Contains(client.Logs.Lines, l => l.Contains("was never fetched: serving its", StringComparison.Ordinal) && l.Contains("ConfiguredFallback", StringComparison.Ordinal));

        // A fallback has no version, so its use is counted, not sent.
        client.Hub.StartExecution(shipped).Complete(success: true);
        Assert.Equal(1, client.Hub.Reporting.Unreported);
        Assert.Equal(0, client.Hub.Reporting.Buffered);
    }

    [Fact]
    public async Task A_cancelled_call_is_cancelled_rather_than_answered_with_a_fallback()
    {
        await using var client = await ClientHost.StartAsync(new Uri($"http://127.0.0.1:{ClosedPort()}"), "phk_reader-key", o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(30);
            o.MaxRetries = 10;
            o.RetryDelay = TimeSpan.FromSeconds(2);
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.Hub.GetPromptAsync("client/cancel", fallback: FallbackPrompt.Text("x"), cancellationToken: cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Hub.FlushAsync(new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task Wrong_settings_stop_the_service_at_start_naming_each_one()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ClientHost.StartAsync(
            new Uri("ftp://prompthub"), " ", o =>
            {
                o.CacheTtl = TimeSpan.Zero;
                o.Reporting.BatchSize = 5000;
            }));
        Assert.Contains("PromptHub:BaseUrl must be an absolute http(s) URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("PromptHub:ApiKey must be set", error.Message, StringComparison.Ordinal);
        Assert.Contains("PromptHub:CacheTtl must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("PromptHub:Reporting:BatchSize must be between 1 and 1000", error.Message, StringComparison.Ordinal);
    }

    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using PromptHub.Client;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Client;

/// <summary>The app with reader keys limited to one request a second (bursts of one), as an operator may set it.</summary>
public sealed class ReaderLimitedApp : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PromptHub:RateLimits:Reader:PermitsPerSecond"] = "1",
        ["PromptHub:RateLimits:Reader:Burst"] = "1",
    };
}

public sealed class RetryAfterTests(ReaderLimitedApp app) : IClassFixture<ReaderLimitedApp>
{
    [Fact]
    public async Task A_429_is_retried_after_the_servers_Retry_After_rather_than_the_clients_own_short_back_off()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("client/limited", "Hello {{name}}");
        await admin.ActivateAsync("client/limited", "production", 1);
        // The client's own first retry would come after 20 ms; the server asks for a second.
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"), o => o.RetryDelay = TimeSpan.FromMilliseconds(20));

        var prompt = await client.Hub.GetPromptAsync("client/limited");
        Assert.Equal((1, PromptSource.Server), (prompt.Version, prompt.Source));

        var responses = client.Responses;
        var limited = responses.First(r => r.Status == HttpStatusCode.TooManyRequests);
        var retried = responses.First(r => r.At > limited.At && r.Path == limited.Path);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.True(retried.At - limited.At >= TimeSpan.FromMilliseconds(900), $"retried after {(retried.At - limited.At).TotalMilliseconds} ms");
        Assert.Single(responses, r => r.Status == HttpStatusCode.TooManyRequests);
    }
}

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

        // Each 429 is followed by a retry of the same request no sooner than the second it asked for (the server's
        // bucket refills on its own timer, so a retry can meet another 429 on a loaded machine; the call still succeeds).
        var responses = client.Responses;
        var limited = responses.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        foreach (var refusal in limited)
        {
            var retried = responses.First(r => r.At > refusal.At && r.Path == refusal.Path);
            Assert.True(retried.At - refusal.At >= TimeSpan.FromMilliseconds(900), $"retried after {(retried.At - refusal.At).TotalMilliseconds} ms");
        }
    }
}

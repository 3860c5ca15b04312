namespace PromptHub.Tests.Access;

/// <summary>The app with a tight admin limit: 1 request/s, bursts of 3.</summary>
public sealed class TightLimitsApp : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PromptHub:RateLimits:Admin:PermitsPerSecond"] = "1",
        ["PromptHub:RateLimits:Admin:Burst"] = "3",
    };
}

public sealed class RateLimitTests(TightLimitsApp app) : IClassFixture<TightLimitsApp>
{
    [Fact]
    public async Task An_admin_key_past_its_burst_gets_429_with_retry_after_while_readers_are_not_limited()
    {
        // Keys are created with the bootstrap key; the limited key is a fresh one with a full bucket.
        var readerSecret = await app.CreateKeyAsync("reader");
        var adminSecret = await app.CreateKeyAsync("admin");
        var admin = app.As(adminSecret);

        for (var i = 0; i < 3; i++) await (await admin.GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK);
        var limited = await admin.GetAsync("/api/v1/prompts");
        var problem = await limited.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After names a wait in seconds");
        Assert.Contains("rate limit", (string?)problem["detail"]);

        // A write past the limit changes nothing.
        var write = await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "limited", type = "text" });
        Assert.Equal(HttpStatusCode.TooManyRequests, write.StatusCode);
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'limited'"));

        var reader = app.As(readerSecret);
        var reads = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => reader.GetAsync("/api/v1/prompts")));
        Assert.All(reads, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // The bucket refills: one more request after a second.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await (await admin.GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK);
    }
}

using PromptHub.Client;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Client;

public sealed class GetPromptTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_service_gets_the_production_version_renders_it_locally_and_then_serves_it_from_its_cache()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("client/answer");
        await admin.UploadAsync("client/answer", new { template = "Answer {{question}} for {{customer}}", config = new { model = "gpt-4o-mini", temperature = 0.2 } });
        await admin.UploadAsync("client/answer", new { template = "Answer {{question}} briefly" });
        await admin.ActivateAsync("client/answer", "production", 1);
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"));

        var prompt = await client.Hub.GetPromptAsync("client/answer");
        Assert.Equal(("client/answer", 1, "production", "text", PromptSource.Server), (prompt.Name, prompt.Version, prompt.Label, prompt.Type, prompt.Source));
        Assert.Equal("gpt-4o-mini", prompt.Model);
        Assert.Equal(0.2, prompt.Config.GetProperty("temperature").GetDouble());
        Assert.Equal(["customer", "question"], prompt.Variables);
        Assert.Null(prompt.Experiment);
        Assert.Equal("Answer the refund for Ada", prompt.Render(new { question = "the refund", customer = "Ada" }));

        var requests = client.Responses.Count;
        var again = await client.Hub.GetPromptAsync("client/answer");
        Assert.Equal((1, PromptSource.Cache), (again.Version, again.Source));
        Assert.Equal(requests, client.Responses.Count);

        var latest = await client.Hub.GetPromptAsync("client/answer", label: "latest");
        Assert.Equal((2, "latest", PromptSource.Server), (latest.Version, latest.Label, latest.Source));
    }

    [Fact]
    public async Task An_unchanged_prompt_is_revalidated_with_its_etag_for_a_304_and_a_change_is_picked_up_after_the_ttl()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("client/etag", "one {{x}}", "two {{x}}");
        await admin.ActivateAsync("client/etag", "production", 1);
        var ttl = TimeSpan.FromMilliseconds(200);
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"), o => o.CacheTtl = ttl);

        Assert.Equal(PromptSource.Server, (await client.Hub.GetPromptAsync("client/etag")).Source);
        Assert.Equal(1, client.Count("/resolve", HttpStatusCode.OK));
        for (var round = 1; round <= 3; round++)
        {
            await Task.Delay(ttl + TimeSpan.FromMilliseconds(50));
            var stale = await client.Hub.GetPromptAsync("client/etag");
            Assert.Equal((1, PromptSource.StaleCache), (stale.Version, stale.Source));
            await HttpAssertions.EventuallyAsync(async () =>
            {
                Assert.Equal(round, client.Count("/resolve", HttpStatusCode.NotModified));
                Assert.Equal(PromptSource.Cache, (await client.Hub.GetPromptAsync("client/etag")).Source);
            });
        }
        Assert.Equal(1, client.Count("/resolve", HttpStatusCode.OK));

        await admin.ActivateAsync("client/etag", "production", 2);
        Assert.Equal(1, (await client.Hub.GetPromptAsync("client/etag")).Version); // fresh for its TTL
        await Task.Delay(ttl + TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, (await client.Hub.GetPromptAsync("client/etag")).Version); // stale, served at once, refreshing
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal("two 7", (await client.Hub.GetPromptAsync("client/etag")).Render(new { x = 7 })));
        Assert.Equal(2, client.Count("/resolve", HttpStatusCode.OK));
    }

    [Fact]
    public async Task Callers_asking_at_once_for_a_prompt_not_yet_cached_share_one_fetch()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("client/stampede", "hello");
        await admin.ActivateAsync("client/stampede", "production", 1);
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"));

        var prompts = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => client.Hub.GetPromptAsync("client/stampede"))));
        Assert.All(prompts, p => Assert.Equal(1, p.Version));
        Assert.Equal(1, client.Responses.Count(r => r.Path.Contains("/resolve", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_cache_is_bounded_and_lets_the_least_recently_used_prompt_go()
    {
        var admin = app.Admin();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            await admin.CreateTextPromptAsync($"client/lru/{name}", name);
            await admin.ActivateAsync($"client/lru/{name}", "production", 1);
        }
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"), o => o.MaxCacheEntries = 3);

        foreach (var name in new[] { "a", "b", "c" }) await client.Hub.GetPromptAsync($"client/lru/{name}");
        Assert.Equal(PromptSource.Cache, (await client.Hub.GetPromptAsync("client/lru/a")).Source);
        await client.Hub.GetPromptAsync("client/lru/d");
        Assert.True(client.Hub.CachedPrompts <= 3, $"{client.Hub.CachedPrompts} entries");
        Assert.Equal(PromptSource.Cache, (await client.Hub.GetPromptAsync("client/lru/a")).Source);
        Assert.Equal(PromptSource.Cache, (await client.Hub.GetPromptAsync("client/lru/d")).Source);
        Assert.Equal(PromptSource.Server, (await client.Hub.GetPromptAsync("client/lru/b")).Source);
    }

    [Fact]
    public async Task A_missing_variable_renders_empty_unless_strict_mode_is_on()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("client/chat", type: "chat");
        await admin.UploadAsync("client/chat", new { messages = new[] { new { role = "system", content = "You help {{customer}}." }, new { role = "user", content = "{{question}}" } } });
        await admin.ActivateAsync("client/chat", "production", 1);
        var reader = await app.CreateKeyAsync("reader");
        await using var lenient = await ClientHost.StartAsync(app, reader);
        await using var strict = await ClientHost.StartAsync(app, reader, o => o.StrictRendering = true);

        var prompt = await lenient.Hub.GetPromptAsync("client/chat");
        Assert.Equal("chat", prompt.Type);
        Assert.Equal([new PromptMessage("system", "You help Ada."), new PromptMessage("user", "")], prompt.RenderMessages(new { customer = "Ada" }));
        Assert.Throws<InvalidOperationException>(() => prompt.Render(new { customer = "Ada" }));

        var strictPrompt = await strict.Hub.GetPromptAsync("client/chat");
        var error = Assert.Throws<PromptRenderException>(() => strictPrompt.RenderMessages(new { customer = "Ada" }));
        Assert.Contains("question", error.Message, StringComparison.Ordinal);
        Assert.Equal("Where is my parcel?", strictPrompt.RenderMessages(new Dictionary<string, object> { ["customer"] = "Ada", ["question"] = "Where is my parcel?" })[1].Content);
    }

    [Fact]
    public async Task An_unknown_prompt_is_not_found_even_with_a_fallback_because_the_server_answered()
    {
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"));
        await Assert.ThrowsAsync<PromptNotFoundException>(() => client.Hub.GetPromptAsync("client/nothing", fallback: FallbackPrompt.Text("hello")));
    }

    [Fact]
    public async Task A_bad_key_is_refused_with_its_status_and_the_key_is_in_no_message_or_log_line()
    {
        await using var client = await ClientHost.StartAsync(app, "phk_not-a-real-key-0123456789");
        var error = await Assert.ThrowsAsync<PromptHubException>(() => client.Hub.GetPromptAsync("client/answer"));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.DoesNotContain("not-a-real-key", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(client.Logs.Lines, l => l.Contains("not-a-real-key", StringComparison.Ordinal));
    }
}

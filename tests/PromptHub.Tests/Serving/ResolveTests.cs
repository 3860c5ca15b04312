using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Serving;

public sealed class ResolveTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_reader_resolves_the_production_version_with_its_content()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("serve/answer");
        await admin.UploadAsync("serve/answer", new { template = "Answer {{question}}", config = new { model = "gpt-4o", temperature = 0.3 } });
        await admin.UploadAsync("serve/answer", new { template = "Answer {{question}} briefly" });
        await admin.ActivateAsync("serve/answer", "production", 1);

        var reader = app.As(await app.CreateKeyAsync("reader"));
        var resolved = await reader.ResolveAsync("serve/answer");
        Assert.Equal("serve/answer", (string?)resolved["name"]);
        Assert.Equal(1, (int)resolved["version"]!);
        Assert.Equal("production", (string?)resolved["label"]);
        Assert.Equal("text", (string?)resolved["type"]);
        Assert.Equal("Answer {{question}}", (string?)resolved["template"]);
        Assert.Equal("gpt-4o", (string?)resolved["config"]!["model"]);
        Assert.Equal(0.3, (double)resolved["config"]!["temperature"]!);
        Assert.Equal(["question"], resolved["variables"]!.AsArray().Select(v => (string)v!));
        Assert.True(resolved.AsObject().ContainsKey("experiment"));
        Assert.Null(resolved["experiment"]);

        Assert.Equal(2, await reader.ResolvedVersionAsync("serve/answer", "?label=latest"));
        Assert.Equal(2, await reader.ResolvedVersionAsync("serve/answer", "?version=2"));
        Assert.Equal(2, await reader.ResolvedVersionAsync("serve/answer", "?version=latest"));
        Assert.Null((await reader.ResolveAsync("serve/answer", "?version=1"))["label"]);
        // Plain slashes work as well as encoded ones.
        var plain = await (await reader.GetAsync("/api/v1/prompts/serve/answer/resolve?label=production")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)plain["version"]!);
    }

    [Fact]
    public async Task An_activation_is_served_at_once_by_the_same_instance()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("serve/activate", "one", "two");
        await admin.ActivateAsync("serve/activate", "production", 1);
        Assert.Equal(1, await admin.ResolvedVersionAsync("serve/activate"));
        await admin.ActivateAsync("serve/activate", "production", 2);
        Assert.Equal(2, await admin.ResolvedVersionAsync("serve/activate"));
        await (await admin.PostAsync("/api/v1/prompts/serve%2Factivate/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, await admin.ResolvedVersionAsync("serve/activate"));
        await admin.UploadAsync("serve/activate", new { template = "three" });
        Assert.Equal(3, await admin.ResolvedVersionAsync("serve/activate", "?label=latest"));
    }

    [Fact]
    public async Task An_unchanged_answer_costs_a_304_through_its_etag()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("serve/etag", "one", "two");
        await admin.ActivateAsync("serve/etag", "production", 1);

        var first = await admin.GetAsync("/api/v1/prompts/serve%2Fetag/resolve");
        await first.ReadJsonAsync(HttpStatusCode.OK);
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        var cacheControl = first.Headers.CacheControl!;
        Assert.True(cacheControl.Private && cacheControl.MustRevalidate && cacheControl.MaxAge == TimeSpan.Zero, cacheControl.ToString());

        var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/prompts/serve%2Fetag/resolve");
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await admin.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        await admin.ActivateAsync("serve/etag", "production", 2);
        var changed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/prompts/serve%2Fetag/resolve");
        changed.Headers.IfNoneMatch.Add(etag);
        var fresh = await admin.SendAsync(changed);
        Assert.Equal(2, (int)(await fresh.ReadJsonAsync(HttpStatusCode.OK))["version"]!);
        Assert.NotEqual(etag, fresh.Headers.ETag);
    }

    [Fact]
    public async Task A_thousand_parallel_first_requests_read_the_database_once()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("serve/stampede", "one");
        await admin.ActivateAsync("serve/stampede", "production", 1);
        await app.WaitForChangeFeedAsync();
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await reader.GetAsync("/api/v1/prompts"); // the key itself is looked up once, outside the measure

        var before = app.DatabaseLoads();
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => reader.GetAsync("/api/v1/prompts/serve%2Fstampede/resolve")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, app.DatabaseLoads() - before);
    }

    [Fact]
    public async Task Unknown_prompts_labels_and_versions_answer_404_and_bad_queries_400()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("serve/missing", "one");
        await (await admin.GetAsync("/api/v1/prompts/serve%2Fnothing/resolve")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/v1/prompts/serve%2Fmissing/resolve")).ReadProblemAsync(HttpStatusCode.NotFound); // no production yet
        await (await admin.GetAsync("/api/v1/prompts/serve%2Fmissing/resolve?label=staging")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/v1/prompts/serve%2Fmissing/resolve?version=9")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/v1/prompts/serve%2Fmissing/resolve?version=0")).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.GetAsync("/api/v1/prompts/serve%2Fmissing/resolve?label=Not%20A%20Label")).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.GetAsync("/api/v1/prompts/serve%2F..%2Fx/resolve")).ReadProblemAsync(HttpStatusCode.BadRequest);
        // A prompt created after a miss is found at once: the miss was not kept.
        await admin.CreateTextPromptAsync("serve/nothing", "now here");
        await admin.ActivateAsync("serve/nothing", "production", 1);
        Assert.Equal(1, await admin.ResolvedVersionAsync("serve/nothing"));
    }

    [Fact]
    public async Task Only_reader_and_admin_keys_resolve()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("serve/keys", "one");
        await admin.ActivateAsync("serve/keys", "production", 1);
        await (await app.Anonymous().GetAsync("/api/v1/prompts/serve%2Fkeys/resolve")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var ops = app.As(await app.CreateKeyAsync("ops"));
        await (await ops.GetAsync("/api/v1/prompts/serve%2Fkeys/resolve")).ReadProblemAsync(HttpStatusCode.Forbidden);
        var other = app.As(await app.CreateProjectAsync("serve-other"));
        await (await other.GetAsync("/api/v1/prompts/serve%2Fkeys/resolve")).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Included_prompts_are_inlined_and_a_change_to_them_is_served_at_once()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("serve/tone", "Be kind.");
        await admin.ActivateAsync("serve/tone", "production", 1);
        await admin.UploadAsync("serve/tone", new { template = "Be formal with {{customer}}.", labels = new[] { "staging" } });
        await admin.CreatePromptAsync("serve/reply");
        await admin.UploadAsync("serve/reply", new { template = "{{ include 'serve/tone' }} Reply to {{message}}. {{ include 'serve/tone@staging' }}", labels = new[] { "production" } });

        var resolved = await admin.ResolveAsync("serve/reply");
        Assert.Equal("Be kind. Reply to {{message}}. Be formal with {{customer}}.", (string?)resolved["template"]);
        Assert.Equal(["customer", "message"], resolved["variables"]!.AsArray().Select(v => (string)v!));

        await admin.UploadAsync("serve/tone", new { template = "Be warm.", labels = new[] { "production" } });
        var after = await admin.ResolveAsync("serve/reply");
        Assert.Equal("Be warm. Reply to {{message}}. Be formal with {{customer}}.", (string?)after["template"]);
    }
}

using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Analytics;

public sealed class IngestTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_reader_reports_a_batch_and_duplicates_are_counted_not_stored()
    {
        await app.Admin().PromptWithVersionsAsync("ingest/basic", 2);
        var reader = app.As(await app.CreateKeyAsync("reader"));
        var first = await reader.ReportAsync(
            AnalyticsApi.Execution("b-1", "ingest/basic", 1, AnalyticsApi.JustNow),
            AnalyticsApi.Execution("b-2", "ingest/basic", 2, AnalyticsApi.JustNow));
        Assert.Equal(2, (int)first["accepted"]!);
        Assert.Equal(0, (int)first["duplicates"]!);

        var again = await reader.ReportAsync(
            AnalyticsApi.Execution("b-2", "ingest/basic", 2, AnalyticsApi.JustNow),
            AnalyticsApi.Execution("b-3", "ingest/basic", 2, AnalyticsApi.JustNow),
            AnalyticsApi.Execution("b-3", "ingest/basic", 2, AnalyticsApi.JustNow));
        Assert.Equal(1, (int)again["accepted"]!);
        Assert.Equal(2, (int)again["duplicates"]!);
        Assert.Equal(3, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions WHERE id LIKE 'b-%'"));
    }

    [Fact]
    public async Task Ten_concurrent_retries_of_one_batch_store_it_once()
    {
        await app.Admin().PromptWithVersionsAsync("ingest/retries", 1);
        var reader = app.As(await app.CreateKeyAsync("reader"));
        var batch = new
        {
            executions = Enumerable.Range(0, 200).Select(i => AnalyticsApi.Execution($"r-{i}", "ingest/retries", 1, AnalyticsApi.JustNow)).ToArray(),
        };
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => reader.PostAsJsonAsync("/api/v1/executions", batch)));
        var results = new List<JsonNode>();
        foreach (var response in responses) results.Add(await response.ReadJsonAsync(HttpStatusCode.Accepted));
        Assert.Equal(200, results.Sum(r => (int)r["accepted"]!));
        Assert.Equal(1800, results.Sum(r => (int)r["duplicates"]!));
        Assert.Equal(200, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions WHERE id LIKE 'r-%'"));
    }

    [Fact]
    public async Task Every_field_is_stored_including_the_audit_text()
    {
        await app.Admin().PromptWithVersionsAsync("ingest/fields", 1);
        await app.Admin().ActivateAsync("ingest/fields", "production", 1);
        // An experiment that gives every subject variant b, so that any subject's execution of it is valid.
        await (await app.Admin().PostAsJsonAsync("/api/v1/experiments", new
        {
            key = "exp-1", prompt = "ingest/fields",
            variants = new object[] { new { name = "a", version = 1, weight = 0 }, new { name = "b", version = 1, weight = 100 } },
        })).ReadJsonAsync(HttpStatusCode.Created);
        await (await app.Admin().PostAsync("/api/v1/experiments/exp-1/start", null)).ReadJsonAsync(HttpStatusCode.OK);
        var at = AnalyticsApi.At(1, 7);
        await app.Admin().ReportAsync(new
        {
            id = "all-fields", prompt = "ingest/fields", version = 1, label = "production", experiment = "exp-1", variant = "b",
            subject = "user-42", latencyMs = 812.5, inputTokens = 1200, outputTokens = 300, costUsd = 0.0123456789m, model = "gpt-4o",
            success = false, score = 0.25, error = "upstream 503", occurredAt = at, renderedPrompt = "Hello Ann", response = "Hi!",
            metadata = new { region = "eu", retries = 2 },
        });
        var row = await app.ScalarAsync<string>("""
            SELECT concat_ws('|', label, experiment, variant, subject, latency_ms, input_tokens, output_tokens, cost_usd, model, success,
                score, error, rendered_prompt, response, metadata->>'region', metadata->>'retries') FROM analytics.executions WHERE id = 'all-fields'
            """);
        Assert.Equal("production|exp-1|b|user-42|812.5|1200|300|0.0123456789|gpt-4o|f|0.25|upstream 503|Hello Ann|Hi!|eu|2", row);
        Assert.Equal(at, await app.ScalarAsync<DateTime>("SELECT occurred_at FROM analytics.executions WHERE id = 'all-fields'"));
    }

    public static TheoryData<string, object, string> BadBatches()
    {
        var at = AnalyticsApi.JustNow;
        var good = AnalyticsApi.Execution("x-good", "ingest/bad", 1, at);
        object Batch(object bad) => new { executions = new[] { good, good, good, bad } };
        return new()
        {
            { "unknown prompt", Batch(AnalyticsApi.Execution("x", "ingest/nothing", 1, at)), "executions[3].prompt" },
            { "unknown version", Batch(AnalyticsApi.Execution("x", "ingest/bad", 9, at)), "executions[3].version" },
            { "version zero", Batch(AnalyticsApi.Execution("x", "ingest/bad", 0, at)), "executions[3].version" },
            { "negative latency", Batch(AnalyticsApi.Execution("x", "ingest/bad", 1, at, latencyMs: -1)), "executions[3].latencyMs" },
            { "negative tokens", Batch(AnalyticsApi.Execution("x", "ingest/bad", 1, at, inputTokens: -5)), "executions[3].inputTokens" },
            { "negative cost", Batch(AnalyticsApi.Execution("x", "ingest/bad", 1, at, costUsd: -0.1m)), "executions[3].costUsd" },
            { "in the future", Batch(AnalyticsApi.Execution("x", "ingest/bad", 1, DateTimeOffset.UtcNow.AddHours(1))), "executions[3].occurredAt" },
            { "no time", Batch(new { id = "x", prompt = "ingest/bad", version = 1 }), "executions[3].occurredAt" },
            { "no id", Batch(new { prompt = "ingest/bad", version = 1, occurredAt = at }), "executions[3].id" },
            { "id with a slash", Batch(AnalyticsApi.Execution("a/b", "ingest/bad", 1, at)), "executions[3].id" },
            { "oversized rendered prompt", Batch(new { id = "x", prompt = "ingest/bad", version = 1, occurredAt = at, renderedPrompt = new string('p', 40_000) }), "executions[3].renderedPrompt" },
            { "metadata not an object", Batch(new { id = "x", prompt = "ingest/bad", version = 1, occurredAt = at, metadata = new[] { 1 } }), "executions[3].metadata" },
            { "empty batch", new { executions = Array.Empty<object>() }, "executions" },
            { "too many", new { executions = Enumerable.Range(0, 1001).Select(i => AnalyticsApi.Execution($"m-{i}", "ingest/bad", 1, at)).ToArray() }, "executions" },
            { "wrong type", new { executions = new object[] { new { id = "x", prompt = "ingest/bad", version = "1", occurredAt = at } } }, "executions[0].version" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_item_refuses_the_whole_batch_naming_the_item_and_field(string why, object batch, string field)
    {
        await EnsurePromptAsync();
        var response = await app.Admin().PostAsJsonAsync("/api/v1/executions", batch);
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]![field] is not null, $"{why}: expected an error for {field}, got {problem["errors"]}");
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions WHERE id LIKE 'x%' OR id LIKE 'm-%'"));
    }

    [Fact]
    public async Task Outcomes_for_unknown_executions_are_404_alone_and_listed_in_a_batch()
    {
        await app.Admin().PromptWithVersionsAsync("ingest/outcomes", 1);
        await app.Admin().ReportAsync(AnalyticsApi.Execution("k-1", "ingest/outcomes", 1, AnalyticsApi.JustNow));
        await (await app.Admin().PostAsJsonAsync("/api/v1/executions/nope/outcome", new { success = true })).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await app.Admin().PostAsJsonAsync("/api/v1/executions/k-1/outcome", new { })).ReadProblemAsync(HttpStatusCode.BadRequest);

        var batch = await (await app.Admin().PostAsJsonAsync("/api/v1/outcomes", new
        {
            outcomes = new object[] { new { executionId = "k-1", score = 0.9 }, new { executionId = "k-404", success = false } },
        })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)batch["updated"]!);
        Assert.Equal(["k-404"], batch["unknown"]!.AsArray().Select(u => (string)u!));
        Assert.Equal(0.9, await app.ScalarAsync<double>("SELECT score FROM analytics.executions WHERE id = 'k-1'"));
    }

    bool _seeded;

    async Task EnsurePromptAsync()
    {
        if (_seeded || await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'ingest/bad'") > 0) return;
        await app.Admin().PromptWithVersionsAsync("ingest/bad", 1);
        _seeded = true;
    }
}

namespace PromptHub.Tests.Analytics;

public sealed class RollUpTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_hand_computed_day_rolls_up_to_exactly_the_expected_numbers_and_again_to_the_same_rows()
    {
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("agg/fixture", 2);
        const int daysAgo = 3;
        var day = AnalyticsApi.Today.AddDays(-daysAgo);
        await admin.ReportAsync(
            AnalyticsApi.Execution("f-1", "agg/fixture", 1, AnalyticsApi.At(daysAgo, 1), latencyMs: 100, inputTokens: 10, outputTokens: 40, costUsd: 0.0010m, score: 1),
            AnalyticsApi.Execution("f-2", "agg/fixture", 1, AnalyticsApi.At(daysAgo, 2), latencyMs: 200, inputTokens: 20, outputTokens: 30, costUsd: 0.0020m, score: 0.5),
            AnalyticsApi.Execution("f-3", "agg/fixture", 1, AnalyticsApi.At(daysAgo, 3), latencyMs: 300, success: false, error: "timeout", inputTokens: 30, outputTokens: 0, costUsd: 0.0005m),
            AnalyticsApi.Execution("f-4", "agg/fixture", 1, AnalyticsApi.At(daysAgo, 4), latencyMs: 400, inputTokens: 40, outputTokens: 50, costUsd: 0.0030m, score: 0),
            AnalyticsApi.Execution("f-5", "agg/fixture", 2, AnalyticsApi.At(daysAgo, 5), latencyMs: 50, inputTokens: 5, outputTokens: 5, costUsd: 0.0001m),
            AnalyticsApi.Execution("f-6", "agg/fixture", 2, AnalyticsApi.At(daysAgo, 6), latencyMs: 150, inputTokens: 5, outputTokens: 5, costUsd: 0.0001m),
            // The day before and after: not part of this day.
            AnalyticsApi.Execution("f-7", "agg/fixture", 1, AnalyticsApi.At(daysAgo + 1), latencyMs: 9999),
            AnalyticsApi.Execution("f-8", "agg/fixture", 1, AnalyticsApi.At(daysAgo - 1), latencyMs: 9999));

        Assert.Equal(2, await app.RollUpAsync(day));
        const string rows = """
            SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', s.version, s.executions, s.successes, s.errors,
                s.latency_avg_ms, s.latency_p50_ms, s.latency_p95_ms, s.input_tokens, s.output_tokens, s.cost_usd,
                s.score_sum, s.score_count, s.value_sum, s.value_count), ';' ORDER BY s.version)
            FROM analytics.daily_stats s JOIN prompts.prompts p ON p.id = s.prompt_id WHERE p.name = 'agg/fixture' AND s.day = CURRENT_DATE - 3
            """;
        // v1: latencies 100, 200, 300, 400 → avg 250, p50 250, p95 300 + 0.85 × 100 = 385; 3 of 4 succeeded, 1 error;
        //     tokens 100 in, 120 out; cost 0.0065; scores 1 + 0.5 + 0 over 3. v2: latencies 50, 150 → avg 100, p50 100, p95 145.
        const string expected = "1|4|3|1|250|250|385|100|120|0.0065000000|1.5|3|0|0;2|2|2|0|100|100|145|10|10|0.0002000000|0|0|0|0";
        Assert.Equal(expected, await app.ScalarAsync<string>(rows));

        Assert.Equal(2, await app.RollUpAsync(day));
        Assert.Equal(expected, await app.ScalarAsync<string>(rows));

        var analytics = await (await admin.GetAsync($"/api/v1/analytics/prompts/agg%2Ffixture?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}"))
            .ReadJsonAsync(HttpStatusCode.OK);
        var v1 = analytics["versions"]!.AsArray().Single(v => (int)v!["version"]! == 1)!["totals"]!;
        Assert.Equal(4, (long)v1["executions"]!);
        Assert.Equal(0.75, (double)v1["successRate"]!);
        Assert.Equal(0.25, (double)v1["errorRate"]!);
        Assert.Equal(250, (double)v1["latencyP50Ms"]!);
        Assert.Equal(385, (double)v1["latencyP95Ms"]!);
        Assert.Equal(0.0065m, (decimal)v1["costUsd"]!);
        Assert.Equal(0.5, (double)v1["avgScore"]!);
    }

    [Fact]
    public async Task An_outcome_after_the_roll_up_changes_the_day_at_once_and_in_the_stats_after_the_next_run()
    {
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("agg/outcome", 1);
        const int daysAgo = 2;
        var day = AnalyticsApi.Today.AddDays(-daysAgo);
        await admin.ReportAsync(
            AnalyticsApi.Execution("o-1", "agg/outcome", 1, AnalyticsApi.At(daysAgo)),
            AnalyticsApi.Execution("o-2", "agg/outcome", 1, AnalyticsApi.At(daysAgo, 1)));
        await app.RollUpAsync(day);
        Assert.Equal(0, await app.ScalarAsync<long>($"SELECT count(*) FROM analytics.dirty_days WHERE day = CURRENT_DATE - {daysAgo}"));

        var outcome = await (await admin.PostAsJsonAsync("/api/v1/executions/o-2/outcome", new { success = false, score = 0.2, value = -1.5 }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)outcome["success"]!);
        Assert.Equal(-1.5, (double)outcome["value"]!);
        Assert.Equal(1, await app.ScalarAsync<long>($"SELECT count(*) FROM analytics.dirty_days WHERE day = CURRENT_DATE - {daysAgo}"));

        string Url() => $"/api/v1/analytics/prompts/agg%2Foutcome?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        var live = (await (await admin.GetAsync(Url())).ReadJsonAsync(HttpStatusCode.OK))["versions"]![0]!["totals"]!;
        Assert.Equal(1, (long)live["successes"]!);   // read from the raw rows while the day is to roll up again
        Assert.Equal(-1.5, (double)live["avgValue"]!);
        Assert.Equal(2, await app.ScalarAsync<long>($"SELECT successes FROM analytics.daily_stats s JOIN prompts.prompts p ON p.id = s.prompt_id WHERE p.name = 'agg/outcome'"));

        await app.RollUpAsync(day);
        Assert.Equal(1, await app.ScalarAsync<long>($"SELECT successes FROM analytics.daily_stats s JOIN prompts.prompts p ON p.id = s.prompt_id WHERE p.name = 'agg/outcome'"));
        Assert.Equal(0, await app.ScalarAsync<long>($"SELECT count(*) FROM analytics.dirty_days WHERE day = CURRENT_DATE - {daysAgo}"));
        var rolled = (await (await admin.GetAsync(Url())).ReadJsonAsync(HttpStatusCode.OK))["versions"]![0]!["totals"]!;
        Assert.Equal(1, (long)rolled["successes"]!);
        Assert.Equal(0.2, (double)rolled["avgScore"]!);
    }

    [Fact]
    public async Task Todays_numbers_are_live_and_the_overview_ranks_prompts_by_volume()
    {
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("agg/busy", 1);
        await admin.PromptWithVersionsAsync("agg/quiet", 1);
        var now = AnalyticsApi.JustNow;
        await admin.ReportAsync(
            AnalyticsApi.Execution("t-1", "agg/busy", 1, now, costUsd: 0.5m),
            AnalyticsApi.Execution("t-2", "agg/busy", 1, now, costUsd: 0.5m, success: false, error: "rate limited"),
            AnalyticsApi.Execution("t-3", "agg/busy", 1, now, costUsd: 0.5m),
            AnalyticsApi.Execution("t-4", "agg/quiet", 1, now, costUsd: 0.25m));

        var today = await (await admin.GetAsync("/api/v1/analytics/prompts/agg/busy")).ReadJsonAsync(HttpStatusCode.OK);
        var series = today["versions"]![0]!["series"]!.AsArray();
        Assert.Equal(AnalyticsApi.Today.ToString("yyyy-MM-dd"), (string?)series.Last()!["day"]);
        Assert.Equal(3, (long)series.Last()!["metrics"]!["executions"]!);

        var overview = await (await admin.GetAsync("/api/v1/analytics/overview")).ReadJsonAsync(HttpStatusCode.OK);
        var names = overview["prompts"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
        Assert.True(names.IndexOf("agg/busy") < names.IndexOf("agg/quiet"), string.Join(", ", names));
        var busy = overview["prompts"]!.AsArray().Single(p => (string?)p!["name"] == "agg/busy")!["metrics"]!;
        Assert.Equal(1.0 / 3, (double)busy["errorRate"]!, 3);
        Assert.Equal(1.5m, (decimal)busy["costUsd"]!);
        Assert.True((long)overview["totals"]!["executions"]! >= 4);
    }
}

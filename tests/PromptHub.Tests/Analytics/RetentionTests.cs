using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Analytics;

namespace PromptHub.Tests.Analytics;

public sealed class FiveDayRetentionApp : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["PromptHub:Analytics:RetentionDays"] = "5" };
}

public sealed class RetentionTests(FiveDayRetentionApp app) : IClassFixture<FiveDayRetentionApp>
{
    [Fact]
    public async Task Retention_removes_only_raw_rows_older_than_the_limit_and_keeps_their_daily_stats()
    {
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("retention/p", 1);
        await admin.ReportAsync(
            AnalyticsApi.Execution("old-10", "retention/p", 1, AnalyticsApi.At(10)),
            AnalyticsApi.Execution("old-6", "retention/p", 1, AnalyticsApi.At(6)),
            AnalyticsApi.Execution("kept-5", "retention/p", 1, AnalyticsApi.At(5)),
            AnalyticsApi.Execution("kept-1", "retention/p", 1, AnalyticsApi.At(1)),
            AnalyticsApi.Execution("kept-0", "retention/p", 1, AnalyticsApi.JustNow));
        await app.RollUpAsync(AnalyticsApi.Today.AddDays(-6)); // day -10 has not been rolled up: retention must do it first

        var removed = await app.Services.GetRequiredService<Retention>().RemoveExpiredAsync(CancellationToken.None);

        Assert.Equal(2, removed);
        Assert.Equal("kept-0,kept-1,kept-5", await app.ScalarAsync<string>("SELECT string_agg(id, ',' ORDER BY id) FROM analytics.executions"));
        Assert.Equal(2, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.daily_stats WHERE day IN (CURRENT_DATE - 10, CURRENT_DATE - 6)"));

        var day10 = AnalyticsApi.Today.AddDays(-10);
        var analytics = await (await admin.GetAsync($"/api/v1/analytics/prompts/retention%2Fp?from={day10:yyyy-MM-dd}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(5, (long)analytics["versions"]![0]!["totals"]!["executions"]!);
        Assert.Equal(0, await app.Services.GetRequiredService<Retention>().RemoveExpiredAsync(CancellationToken.None));
    }
}

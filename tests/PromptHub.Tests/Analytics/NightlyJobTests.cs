using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Analytics;
using PromptHub.Tests.Jobs;

namespace PromptHub.Tests.Analytics;

public sealed class NightlyJobTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task The_nightly_job_rolls_up_yesterday_and_every_day_a_late_execution_or_outcome_changed()
    {
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("nightly/p", 1);
        await admin.ReportAsync(
            AnalyticsApi.Execution("n-yesterday", "nightly/p", 1, AnalyticsApi.At(1)),
            AnalyticsApi.Execution("n-late", "nightly/p", 1, AnalyticsApi.At(5)),   // a late execution: its day rolls up again
            AnalyticsApi.Execution("n-today", "nightly/p", 1, AnalyticsApi.JustNow));

        var days = await app.Services.GetRequiredService<DailyRollUp>().DaysToRollUpAsync(CancellationToken.None);
        Assert.Contains(AnalyticsApi.Today.AddDays(-1), days);
        Assert.Contains(AnalyticsApi.Today.AddDays(-5), days);
        Assert.DoesNotContain(AnalyticsApi.Today, days);

        var run = await admin.RunInStateAsync(await admin.TriggerAsync(DailyRollUpJob.Name), "succeeded");
        Assert.StartsWith("rolled up 2 day(s)", (string?)run["result"]);
        Assert.Equal("-5,-1", await app.ScalarAsync<string>("""
            SELECT string_agg((s.day - CURRENT_DATE)::text, ',' ORDER BY s.day) FROM analytics.daily_stats s
            JOIN prompts.prompts p ON p.id = s.prompt_id WHERE p.name = 'nightly/p'
            """));
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.dirty_days"));
    }
}

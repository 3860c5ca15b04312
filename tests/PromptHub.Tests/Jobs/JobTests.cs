using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Analytics;
using PromptHub.Tests.Analytics;
using PromptHub.Tests.Serving;
using Quartz;
using Quartz.Extensibility;

namespace PromptHub.Tests.Jobs;

public sealed class JobTests(TwoInstances cluster) : IClassFixture<TwoInstances>
{
    static async Task<IReadOnlyList<ExecutionHistoryEntry>> RunsAsync(AppFactory app, string job, string? trigger = null)
    {
        var history = app.Services.GetRequiredService<IExecutionHistoryStore>();
        var page = await history.QueryExecutions(new ExecutionHistoryQuery { SchedulerName = "prompthub", Job = new JobKey(job), Take = 500 });
        return page.Items.Where(e => trigger is null || e.TriggerName == trigger).ToList();
    }

    [Fact]
    public async Task With_two_instances_each_firing_of_a_job_runs_once()
    {
        var scheduler = await cluster.First.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal(2, (await scheduler.QueryClusterNodes()).Count), TimeSpan.FromSeconds(20));

        const string trigger = "test-six-fires";
        await scheduler.ScheduleJob(TriggerBuilder.Create()
            .ForJob(DailyAggregationJob.Name)
            .WithIdentity(trigger)
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMilliseconds(500)).WithRepeatCount(5))
            .StartNow()
            .Build());

        await HttpAssertions.EventuallyAsync(async () => Assert.Equal(6, (await RunsAsync(cluster.First, DailyAggregationJob.Name, trigger)).Count),
            TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a duplicate would show up by now
        var runs = await RunsAsync(cluster.Second, DailyAggregationJob.Name, trigger);
        Assert.Equal(6, runs.Count);
        Assert.Equal(6, runs.Select(r => r.FireInstanceId).Distinct().Count());
        Assert.All(runs, r => Assert.True(r.Succeeded, r.ExceptionMessage));
    }

    [Fact]
    public async Task A_backfill_asked_of_one_instance_runs_once_and_reports_its_state()
    {
        var admin = cluster.First.Admin();
        await admin.PromptWithVersionsAsync("jobs/backfill", 1);
        await admin.ReportAsync(
            AnalyticsApi.Execution("bf-1", "jobs/backfill", 1, AnalyticsApi.At(3)),
            AnalyticsApi.Execution("bf-2", "jobs/backfill", 1, AnalyticsApi.At(2)),
            AnalyticsApi.Execution("bf-3", "jobs/backfill", 1, AnalyticsApi.At(2, 5)));
        var from = AnalyticsApi.Today.AddDays(-3);
        var to = AnalyticsApi.Today.AddDays(-1);

        var response = await admin.PostAsJsonAsync("/api/v1/analytics/backfill", new { from, to });
        var accepted = await response.ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(3, (int)accepted["days"]!);
        var location = response.Headers.Location!.OriginalString;

        JsonNode? state = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            state = await (await cluster.Second.Admin().GetAsync(location)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("succeeded", (string?)state["state"]);
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(3, (int)state!["daysDone"]!);
        Assert.NotNull(state["finishedAt"]);
        Assert.Equal("1,2", await cluster.First.ScalarAsync<string>("""
            SELECT string_agg(s.executions::text, ',' ORDER BY s.day) FROM analytics.daily_stats s
            JOIN prompts.prompts p ON p.id = s.prompt_id WHERE p.name = 'jobs/backfill'
            """));
        Assert.Single(await RunsAsync(cluster.First, Backfills.JobName));

        await (await cluster.First.Admin().GetAsync($"/api/v1/analytics/backfill/{Guid.NewGuid()}")).ReadProblemAsync(HttpStatusCode.NotFound);
        var bad = await admin.PostAsJsonAsync("/api/v1/analytics/backfill", new { from = to, to = from });
        await bad.ReadProblemAsync(HttpStatusCode.BadRequest);
        var reader = cluster.First.As(await cluster.First.CreateKeyAsync("reader"));
        await (await reader.PostAsJsonAsync("/api/v1/analytics/backfill", new { from, to })).ReadProblemAsync(HttpStatusCode.Forbidden);
    }
}

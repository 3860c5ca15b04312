using PromptHub.Modules.Analytics;
using PromptHub.Tests.Analytics;
using PromptHub.Tests.Prompts;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Jobs;

public sealed class JobTests(TwoInstances cluster) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task A_backfill_asked_of_one_instance_is_a_hangfire_job_that_runs_once_and_reports_its_state()
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
        var jobId = (string)accepted["jobId"]!;
        var location = response.Headers.Location!.OriginalString;

        JsonNode? state = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            state = await (await cluster.Second.Admin().GetAsync(location)).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("succeeded", (string?)state["state"]);
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(3, (int)state!["daysDone"]!);
        Assert.Equal(1, (int)state["attempt"]!);
        Assert.NotNull(state["startedAt"]);
        Assert.NotNull(state["finishedAt"]);
        Assert.Equal("1,2", await cluster.First.ScalarAsync<string>("""
            SELECT string_agg(s.executions::text, ',' ORDER BY s.day) FROM analytics.daily_stats s
            JOIN prompts.prompts p ON p.id = s.prompt_id WHERE p.name = 'jobs/backfill'
            """));

        // The same job, once, in the runs ops read: the backfill's state is the job's state.
        var runs = await admin.RunsAsync($"job={Backfills.JobName}");
        var run = Assert.Single(runs);
        Assert.Equal(jobId, (string?)run!["id"]);
        Assert.Equal("succeeded", (string?)run["state"]);
        Assert.Equal($"backfill {accepted["id"]}: rolled up 3 day(s)", (string?)run["result"]);

        await (await cluster.First.Admin().GetAsync($"/api/v1/analytics/backfill/{Guid.NewGuid()}")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsJsonAsync("/api/v1/analytics/backfill", new { from = to, to = from })).ReadProblemAsync(HttpStatusCode.BadRequest);
        var reader = cluster.First.As(await cluster.First.CreateKeyAsync("reader"));
        await (await reader.PostAsJsonAsync("/api/v1/analytics/backfill", new { from, to })).ReadProblemAsync(HttpStatusCode.Forbidden);
        // Another project sees neither the backfill nor (with its admin key) the installation's runs.
        var other = cluster.First.As(await cluster.First.CreateProjectAsync("jobs-other"));
        await (await other.GetAsync(location)).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Triggering_lists_the_run_under_its_job_and_bad_requests_change_nothing()
    {
        var admin = cluster.First.Admin();
        var jobId = await admin.TriggerAsync(RetentionJob.Name);
        var run = await cluster.Second.Admin().RunInStateAsync(jobId, "succeeded");
        Assert.Equal(RetentionJob.Name, (string?)run["job"]);
        Assert.Equal("removed 0 raw execution(s)", (string?)run["result"]);
        Assert.True((long)run["durationMs"]! >= 0);
        Assert.Contains(await admin.RunsAsync($"job={RetentionJob.Name}&state=succeeded"), r => (string?)r!["id"] == jobId);
        Assert.DoesNotContain(await admin.RunsAsync($"job={RetentionJob.Name}&state=failed"), r => (string?)r!["id"] == jobId);
        Assert.Empty(await admin.RunsAsync($"job={RetentionJob.Name}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}"));

        var before = (int)(await admin.GetJsonAsync("/api/v1/ops/runs"))["total"]!;
        await (await admin.PostAsync("/api/v1/ops/jobs/no-such-job/trigger", null)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsJsonAsync("/api/v1/ops/jobs/no-such-job/pause", new { reason = "x" })).ReadProblemAsync(HttpStatusCode.NotFound);
        var problem = await (await admin.PostAsJsonAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/pause", new { reason = " " })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["reason"]);
        await (await admin.PostAsJsonAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/pause", new { reason = new string('r', 501) })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsJsonAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/pause", new { reason = "x", extra = 1 })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/resume", null)).ReadProblemAsync(HttpStatusCode.Conflict);
        foreach (var query in new[] { "state=done", "from=yesterday", "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "pageSize=201", "page=0" })
        {
            await (await admin.GetAsync($"/api/v1/ops/runs?{query}")).ReadProblemAsync(HttpStatusCode.BadRequest);
        }
        Assert.False((bool)(await admin.JobAsync(RetentionJob.Name))["paused"]!);
        Assert.Equal(before, (int)(await admin.GetJsonAsync("/api/v1/ops/runs"))["total"]!);
    }
}

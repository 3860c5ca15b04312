using PromptHub.Modules.Analytics;
using PromptHub.Tests.Analytics;

namespace PromptHub.Tests.Jobs;

/// <summary>An app whose roll-up cannot work (a PostgreSQL setting it sets is invalid), retrying twice, 1 s then 2 s apart.</summary>
public sealed class MisconfiguredRollUp : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PromptHub:Analytics:AggregationWorkMem"] = "lots",
        ["PromptHub:Jobs:Retries"] = "2",
        ["PromptHub:Jobs:RetryDelaySeconds"] = "1",
    };
}

public sealed class FailingJobTests(MisconfiguredRollUp app) : IClassFixture<MisconfiguredRollUp>
{
    [Fact]
    public async Task A_failing_run_is_retried_with_back_off_then_failed_with_its_exception_in_the_runs()
    {
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("failing/p", 1);
        await admin.ReportAsync(AnalyticsApi.Execution("f-1", "failing/p", 1, AnalyticsApi.At(1)));

        var jobId = await admin.TriggerAsync(DailyRollUpJob.Name);
        var seen = new HashSet<string>();
        JsonNode? run = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            run = (await admin.RunsAsync($"job={DailyRollUpJob.Name}")).Single(r => (string?)r!["id"] == jobId);
            seen.Add((string)run!["state"]!);
            Assert.True((string?)run["state"] == "failed", $"seen {string.Join(", ", seen)}; now {run.ToJsonString()}");
        }, TimeSpan.FromSeconds(40));
        Assert.Contains("scheduled", seen); // waiting for a retry, in between
        Assert.Equal(3, (int)run!["attempt"]!);
        Assert.Contains("PostgresException", (string?)run["error"]);
        Assert.Contains("work_mem", (string?)run["error"]);
        Assert.Contains(await admin.RunsAsync("state=failed"), r => (string?)r!["id"] == jobId);
        Assert.Equal("failed", (string?)(await admin.JobAsync(DailyRollUpJob.Name))["lastState"]);
    }
}

using PromptHub.Modules.Analytics;
using PromptHub.Tests.Prompts;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Jobs;

/// <summary>
/// Two instances on one database whose roll-up and retention run every minute (`* * * * *`). Started
/// once; both tests watch the same minutes (in either order), so the class takes about three minutes,
/// alongside the other classes.
/// </summary>
public sealed class EveryMinuteCluster : IAsyncLifetime
{
    public AppFactory First { get; } = new();
    public AppFactory Second { get; private set; } = null!;
    public DateTimeOffset StartedAt { get; private set; }

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        First.With["PromptHub:Jobs:DailyAggregationCron"] = "* * * * *";
        First.With["PromptHub:Jobs:RetentionCron"] = "* * * * *";
        Second = AppFactory.Joining(First);
        foreach (var (key, value) in First.With) Second.With[key] = value;
        StartedAt = DateTimeOffset.UtcNow;
        _ = First.Services;
        _ = Second.Services;
        await First.WaitForChangeFeedAsync();
        await Second.WaitForChangeFeedAsync();
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await ((IAsyncLifetime)First).DisposeAsync();
    }
}

public sealed class MinuteCronTests(EveryMinuteCluster cluster) : IClassFixture<EveryMinuteCluster>
{
    static readonly TimeSpan FewMinutes = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task With_two_instances_each_firing_of_a_one_minute_cron_runs_once()
    {
        var ops = cluster.First.As(await cluster.First.CreateKeyAsync("ops", "cron-watcher"));
        JsonArray firings = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            firings = await ops.RunsAsync($"job={DailyRollUpJob.Name}");
            Assert.True(firings.Count >= 3, $"{firings.Count} firing(s) so far");
        }, FewMinutes);
        // Both instances answer the same history; a duplicate would have shown up as a second run in one minute.
        var minutes = firings.Select(r => ((DateTimeOffset)r!["createdAt"]!).ToUniversalTime()).Select(t => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerMinute))).ToList();
        Assert.Equal(minutes.Count, minutes.Distinct().Count());
        var ordered = minutes.Order().ToList();
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(1), pair.Second - pair.First));
        await HttpAssertions.EventuallyAsync(async () =>
            Assert.All(await cluster.Second.As(await cluster.First.CreateKeyAsync("ops")).RunsAsync($"job={DailyRollUpJob.Name}&to={Uri.EscapeDataString(ordered[^1].AddMinutes(1).ToString("O"))}"),
                r => Assert.Equal("succeeded", (string?)r!["state"])));
        var job = await ops.JobAsync(DailyRollUpJob.Name);
        Assert.Equal("every minute", (string?)job["cronDescription"]);
        Assert.True((DateTimeOffset)job["nextExecution"]! > DateTimeOffset.UtcNow.AddSeconds(-5));
    }

    [Fact]
    public async Task A_paused_job_skips_its_firings_with_the_reason_and_resuming_restores_them()
    {
        var admin = cluster.First.Admin();
        var second = cluster.Second.Admin();
        var paused = await (await admin.PostAsJsonAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/pause", new { reason = "restoring a backup" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.True((bool)paused["paused"]!);
        var pausedAt = DateTimeOffset.UtcNow;
        var job = await second.JobAsync(RetentionJob.Name);
        Assert.Equal("restoring a backup", (string?)job["pauseReason"]);
        Assert.Equal("admin", (string?)job["pausedBy"]);

        // The next firing is recorded as skipped, with why; a trigger by hand still runs.
        JsonNode? skipped = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            skipped = (await second.RunsAsync($"job={RetentionJob.Name}&state=skipped")).FirstOrDefault(r => (DateTimeOffset)r!["createdAt"]! > pausedAt);
            Assert.NotNull(skipped);
        }, TimeSpan.FromSeconds(75));
        Assert.Equal("Paused by admin: restoring a backup", (string?)skipped!["reason"]);
        Assert.Null(skipped["startedAt"]);
        var manual = await admin.RunInStateAsync(await admin.TriggerAsync(RetentionJob.Name), "succeeded");
        Assert.NotNull(manual["startedAt"]);

        var resumed = await (await second.PostAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/resume", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)resumed["paused"]!);
        var resumedAt = DateTimeOffset.UtcNow;
        await HttpAssertions.EventuallyAsync(async () => Assert.Contains(await admin.RunsAsync($"job={RetentionJob.Name}&state=succeeded"),
            r => (DateTimeOffset)r!["createdAt"]! > resumedAt && (string?)r["id"] != (string?)manual["id"]), TimeSpan.FromSeconds(75));
        Assert.DoesNotContain(await admin.RunsAsync($"job={RetentionJob.Name}&state=skipped"), r => (DateTimeOffset)r!["createdAt"]! > resumedAt);
        Assert.Equal(2L, await cluster.First.ScalarAsync<long>($"SELECT count(*) FROM jobs.pause_log WHERE job_id = '{RetentionJob.Name}'"));
    }
}

using PromptHub.Tests.Jobs;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.GitSync;

/// <summary>The recurring job, with a cron that never fires by itself during the test: ops trigger it.</summary>
public sealed class GitSyncJobTests : IAsyncLifetime
{
    sealed class App : GitSyncApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["PromptHub:Jobs:GitSyncCron"] = "0 0 1 1 *",
        };
    }

    readonly App _app = new();
    readonly TestRepository _repository = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task The_recurring_job_syncs_sources_that_are_due_and_leaves_the_others_until_their_interval()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", "Hello {{ name }}\n").Commit("One");
        await admin.ConnectAsync(new { url = _repository.FileUrl });

        await admin.TriggerAsync("git-sync");
        // The fetch log entry is written when the sync ends, a moment after the file's own transaction imported it.
        await HttpAssertions.EventuallyAsync(async () =>
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/prompts/greeting")).StatusCode);
            var log = (await admin.FetchLogAsync())["items"]!.AsArray();
            Assert.Equal("schedule", (string)log.Single()!["trigger"]!);
        }, TimeSpan.FromSeconds(20));

        // Synced a moment ago: the next run within the interval leaves it alone.
        _repository.Write("greeting.prompt", "Hi {{ name }}\n").Commit("Two");
        var second = await admin.TriggerAsync("git-sync");
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var runs = await admin.GetJsonAsync($"/api/v1/ops/runs?job=git-sync&state=succeeded");
            Assert.Equal(2, (int)runs["total"]!);
        }, TimeSpan.FromSeconds(20));
        Assert.Equal(1, (int)(await admin.FetchLogAsync())["total"]!);
        Assert.Equal(1, (int)(await admin.VersionsAsync("greeting"))["total"]!);
        Assert.False(string.IsNullOrEmpty(second));
    }
}

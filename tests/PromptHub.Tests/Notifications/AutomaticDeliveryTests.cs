using PromptHub.Tests.Jobs;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Notifications;

/// <summary>The app in production with its delivery job on (as shipped), and a fake Discord.</summary>
public sealed class DeliveringApp : DiscordApp
{
    protected override void Configure(Dictionary<string, string?> settings) => settings.Remove("PromptHub:Jobs:NotificationDeliveryCron");
}

public sealed class AutomaticDeliveryTests(DeliveringApp fixture) : IClassFixture<DeliveringApp>
{
    AppFactory App => fixture.App;
    FakeDiscord Discord => fixture.Discord;

    [Fact]
    public async Task A_production_upload_is_in_discord_within_five_seconds_without_waiting_for_the_sweep()
    {
        var admin = App.Admin();
        await admin.CreatePromptAsync("auto/fast");
        var uploaded = DateTimeOffset.UtcNow;
        await admin.UploadAsync("auto/fast", new { template = "hello" });
        await HttpAssertions.EventuallyAsync(() =>
        {
            Assert.Single(fixture.RequestsFor("auto/fast v1"));
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(5));
        var sent = fixture.RequestsFor("auto/fast v1").Single();
        Assert.True(sent.At - uploaded < TimeSpan.FromSeconds(5), $"sent {(sent.At - uploaded).TotalMilliseconds:0} ms after the upload");
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal("delivered", await App.ScalarAsync<string>(
            "SELECT state FROM notifications.outbox WHERE payload->>'prompt' = 'auto/fast'")));
        Assert.Contains(await admin.RunsAsync("job=notifications-delivery&state=succeeded"), r => ((string?)r!["result"])?.StartsWith("1 delivered", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Ops_see_every_projects_outbox_by_state_and_retry_a_failed_message()
    {
        var other = App.As(await App.CreateProjectAsync("auto-other"));
        Discord.Then(FakeDiscord.Reply.BadRequest);
        await other.CreatePromptAsync("auto/refused");
        await other.UploadAsync("auto/refused", new { template = "x" });
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal("failed", await App.ScalarAsync<string>(
            "SELECT state FROM notifications.outbox WHERE payload->>'prompt' = 'auto/refused'")));

        var ops = App.As(await App.CreateKeyAsync("ops", "outbox-watcher"));
        var states = await ops.GetJsonAsync("/api/v1/ops/notifications/states");
        Assert.True((int)states["failed"]! >= 1);
        Assert.Equal(["pending", "sending", "delivered", "failed", "dead"], states.AsObject().Select(p => p.Key));
        var failed = (await ops.GetJsonAsync("/api/v1/ops/notifications?state=failed"))["items"]!.AsArray()
            .Single(i => (string?)i!["notification"]!["title"] == "auto/refused v1")!;
        Assert.Equal("auto-other", (string?)failed["project"]);
        Assert.Equal("Discord answered 400: Invalid Form Body", (string?)failed["notification"]!["lastError"]);
        var id = (string)failed["notification"]!["id"]!;
        await (await ops.PostAsync($"/api/v1/ops/notifications/{id}/retry", null)).ReadProblemAsync(HttpStatusCode.Forbidden); // ops read

        var retried = await (await App.Admin().PostAsync($"/api/v1/ops/notifications/{id}/retry", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("auto-other", (string?)retried["project"]);
        await HttpAssertions.EventuallyAsync(() =>
        {
            Assert.Contains(fixture.RequestsFor("auto/refused v1"), r => r.Answer == FakeDiscord.Reply.Ok);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(5));
        await (await App.Admin().PostAsync($"/api/v1/ops/notifications/{id}/retry", null)).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await App.Admin().PostAsync($"/api/v1/ops/notifications/{Guid.NewGuid()}/retry", null)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await ops.GetAsync("/api/v1/ops/notifications?state=lost")).ReadProblemAsync(HttpStatusCode.BadRequest);
        // A project's own admin sees only its own outbox, and not the installation's.
        await (await other.GetAsync("/api/v1/ops/notifications")).ReadProblemAsync(HttpStatusCode.Forbidden);
    }
}

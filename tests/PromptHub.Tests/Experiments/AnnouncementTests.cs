using PromptHub.Tests.Notifications;

namespace PromptHub.Tests.Experiments;

public sealed class ExperimentDiscordApp : DiscordApp
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["PromptHub:Discord:AnnounceExperimentEnds"] = "true";
}

public sealed class AnnouncementTests(ExperimentDiscordApp discord) : IClassFixture<ExperimentDiscordApp>
{
    [Fact]
    public async Task A_stopped_experiment_and_a_completed_rollout_are_announced_once_each()
    {
        await discord.SettleAsync();
        var admin = discord.App.Admin();
        await admin.PromptInProductionAsync("notify/p", 3);
        await admin.RunAsync(ExperimentApi.TwoVariants("notify-exp", "notify/p"));
        await (await admin.StopAsync("notify-exp", promote: "concise", reason: "concise won")).ReadJsonAsync(HttpStatusCode.OK);
        await (await admin.RolloutAsync("notify/p", new { version = 3, percent = 10, key = "notify-roll" })).ReadJsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsync($"{ExperimentApi.Path("notify/p")}/labels/production/rollout/complete", null)).ReadJsonAsync(HttpStatusCode.OK);

        await discord.DeliverAsync();
        var promoted = Assert.Single(discord.RequestsFor("notify/p: experiment notify-exp promoted"));
        var embed = promoted.Body["embeds"]!.AsArray().Single(e => (string?)e!["title"] == "notify/p: experiment notify-exp promoted")!;
        Assert.Equal("production: v1 → v2 ('concise' won) by admin", (string)embed["description"]!);
        Assert.Contains("concise won", embed["fields"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Single(discord.RequestsFor("notify/p: rollout notify-roll completed"));
        Assert.Equal(2L, await discord.App.ScalarAsync<long>("SELECT count(*) FROM notifications.outbox WHERE kind = 'experiment_ended'"));
        // Uploads announce themselves too; label moves are not announced unless that switch is on.
        Assert.Equal(0L, await discord.App.ScalarAsync<long>("SELECT count(*) FROM notifications.outbox WHERE kind = 'production_moved'"));
    }
}

using System.Diagnostics;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Notifications;

public sealed class PublicUrlApp : DiscordApp
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["PromptHub:PublicUrl"] = "https://prompthub.example/";
        settings["PromptHub:Discord:AnnounceProductionLabelMoves"] = "true";
    }
}

public sealed class DeliveryTests(PublicUrlApp fixture) : IClassFixture<PublicUrlApp>
{
    AppFactory App => fixture.App;
    FakeDiscord Discord => fixture.Discord;

    [Fact]
    public async Task A_production_upload_is_announced_once_with_its_embed_and_the_outbox_shows_it_delivered()
    {
        var admin = App.Admin();
        await admin.CreatePromptAsync("notify/greeting", tags: ["greeting"]);
        await admin.UploadAsync("notify/greeting", new { template = "Hello {{name}}, " + new string('x', 300), commitMessage = "First wording" });
        var before = Discord.Delivered.Count;

        var report = await fixture.DeliverAsync();
        Assert.Equal(1, report.Delivered);
        var message = Discord.Delivered.Skip(before).Single();
        Assert.Equal("?wait=true", message.Query);
        Assert.Equal("PromptHub", (string?)message.Body["username"]);
        var embed = message.Body["embeds"]![0]!;
        Assert.Equal("notify/greeting v1", (string?)embed["title"]);
        Assert.Equal("https://prompthub.example/api/v1/prompts/notify%2Fgreeting/versions/1", (string?)embed["url"]);
        var fields = embed["fields"]!.AsArray().ToDictionary(f => (string)f!["name"]!, f => (string)f!["value"]!);
        Assert.Equal("initial", fields["Change"]);
        Assert.Equal("admin", fields["Author"]);
        Assert.Equal("First wording", fields["Reason"]);
        Assert.Equal("```\nHello {{name}}, " + new string('x', 200 - "Hello {{name}}, ".Length) + "…\n```", fields["Content"]);

        var list = await admin.GetJsonAsync("/api/v1/notifications");
        var entry = list["items"]!.AsArray().Single(i => (string?)i!["title"] == "notify/greeting v1")!;
        Assert.Equal("delivered", (string?)entry["state"]);
        Assert.Equal(1, (int)entry["attempts"]!);
        Assert.False(string.IsNullOrEmpty((string?)entry["discordMessageId"]));

        // Delivered once: nothing more to send.
        Assert.Equal(0, (await fixture.DeliverAsync()).Messages);
    }

    [Fact]
    public async Task Activations_and_rollbacks_of_production_are_announced_when_switched_on()
    {
        var admin = App.Admin();
        await admin.CreateTextPromptAsync("notify/labels", "one", "two");
        await fixture.DeliverAsync();
        var before = Discord.Delivered.Count;
        await admin.ActivateAsync("notify/labels", "production", 1, "launch");
        await admin.ActivateAsync("notify/labels", "production", 2, "better");
        await admin.ActivateAsync("notify/labels", "staging", 1);   // not production: not announced
        await (await admin.PostAsync("/api/v1/prompts/notify%2Flabels/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);

        await fixture.DeliverAsync();
        var titles = Discord.Delivered.Skip(before).SelectMany(m => m.Body["embeds"]!.AsArray()).Select(e => (string)e!["title"]!).ToList();
        Assert.Equal(["notify/labels: production → v1", "notify/labels: production → v2", "notify/labels: production → v1"], titles);
    }

    [Fact]
    public async Task An_upload_stays_fast_while_discord_hangs()
    {
        Discord.Otherwise = FakeDiscord.Reply.Hang;
        try
        {
            var admin = App.Admin();
            await admin.CreatePromptAsync("notify/hang");
            var delivery = fixture.DeliverAsync(); // stuck on Discord meanwhile
            for (var i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                await admin.UploadAsync("notify/hang", new { template = $"wording {i}" });
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"upload {i} took {clock.ElapsedMilliseconds} ms");
            }
            await delivery;
        }
        finally
        {
            Discord.Otherwise = FakeDiscord.Reply.Ok;
        }
        await fixture.DueNowAsync();
        await fixture.DeliverAsync();
        var delivered = Discord.Delivered.SelectMany(m => m.Body["embeds"]!.AsArray()).Select(e => (string)e!["title"]!).Where(t => t.StartsWith("notify/hang", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, delivered.Count);
        Assert.Equal(5, delivered.Distinct().Count());
    }
}

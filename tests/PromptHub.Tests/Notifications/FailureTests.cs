using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Notifications;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Notifications;

public sealed class FailureTests(DiscordApp fixture) : IClassFixture<DiscordApp>
{
    AppFactory App => fixture.App;
    FakeDiscord Discord => fixture.Discord;

    async Task<string> UploadAsync(string name)
    {
        await fixture.SettleAsync();
        var admin = App.Admin();
        await admin.CreatePromptAsync(name);
        await admin.UploadAsync(name, new { template = $"text of {name}" });
        return $"{name} v1";
    }

    int DeliveredWith(string title) =>
        Discord.Delivered.Count(m => m.Body["embeds"]!.AsArray().Any(e => (string?)e!["title"] == title));

    [Fact]
    public async Task A_429_waits_the_retry_after_then_the_message_is_delivered_once()
    {
        var title = await UploadAsync("fail/rate-limited");
        Discord.Then(FakeDiscord.Reply.RateLimited);
        var first = DateTimeOffset.UtcNow;
        await fixture.DeliverAsync();
        Assert.Equal(0, DeliveredWith(title));
        Assert.Equal(0, (await fixture.DeliverAsync()).Messages); // not due before retry_after

        await Task.Delay(TimeSpan.FromSeconds(Discord.RetryAfterSeconds + 0.2));
        await fixture.DeliverAsync();
        Assert.Equal(1, DeliveredWith(title));
        var delivered = Discord.Delivered.Single(m => m.Body["embeds"]!.AsArray().Any(e => (string?)e!["title"] == title));
        Assert.True(delivered.At - first >= TimeSpan.FromSeconds(Discord.RetryAfterSeconds), $"sent {(delivered.At - first).TotalSeconds:0.00} s after the 429");
    }

    [Fact]
    public async Task Five_500s_then_success_deliver_one_message()
    {
        var title = await UploadAsync("fail/five-500s");
        Discord.Then(Enumerable.Repeat(FakeDiscord.Reply.ServerError, 5).ToArray());
        for (var round = 0; round < 5 && DeliveredWith(title) == 0; round++)
        {
            await fixture.DueNowAsync();
            await fixture.DeliverAsync();
        }
        Assert.Equal(1, DeliveredWith(title));
        Assert.Equal(5, fixture.RequestsFor(title).Count(r => r.Answer == FakeDiscord.Reply.ServerError));
        var state = await App.ScalarAsync<string>("SELECT state FROM notifications.outbox WHERE payload->>'prompt' = 'fail/five-500s'");
        Assert.Equal("delivered", state);
    }

    [Fact]
    public async Task A_400_fails_the_message_without_retrying_and_the_list_shows_why_and_it_can_be_retried_by_hand()
    {
        var title = await UploadAsync("fail/bad-request");
        Discord.Then(FakeDiscord.Reply.BadRequest);
        await fixture.DeliverAsync();
        await fixture.DueNowAsync();
        await fixture.DeliverAsync();
        Assert.Single(fixture.RequestsFor(title));

        var failed = await App.Admin().GetJsonAsync("/api/v1/notifications?state=failed");
        var entry = failed["items"]!.AsArray().Single(i => (string?)i!["title"] == title)!;
        Assert.Equal("Discord answered 400: Invalid Form Body", (string?)entry["lastError"]);

        var retried = await (await App.Admin().PostAsync($"/api/v1/notifications/{entry["id"]}/retry", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("pending", (string?)retried["state"]);
        await fixture.DeliverAsync();
        Assert.Equal(1, DeliveredWith(title));
        await (await App.Admin().PostAsync($"/api/v1/notifications/{entry["id"]}/retry", null)).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await App.Admin().PostAsync($"/api/v1/notifications/{Guid.NewGuid()}/retry", null)).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_deleted_webhook_fails_loudly_and_a_message_out_of_attempts_is_dead()
    {
        var gone = await UploadAsync("fail/gone");
        Discord.Then(FakeDiscord.Reply.NotFound);
        await fixture.DeliverAsync();
        Assert.Contains(App.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("no longer exists", StringComparison.Ordinal) && l.Contains("'default'", StringComparison.Ordinal));
        Assert.Equal("failed", await App.ScalarAsync<string>("SELECT state FROM notifications.outbox WHERE payload->>'prompt' = 'fail/gone'"));

        var dying = await UploadAsync("fail/dying");
        Discord.Otherwise = FakeDiscord.Reply.ServerError;
        try
        {
            var max = App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DiscordOptions>>().Value.MaxAttempts;
            for (var i = 0; i < max; i++)
            {
                await fixture.DueNowAsync();
                await fixture.DeliverAsync();
            }
        }
        finally
        {
            Discord.Otherwise = FakeDiscord.Reply.Ok;
        }
        Assert.Equal("dead", await App.ScalarAsync<string>("SELECT state FROM notifications.outbox WHERE payload->>'prompt' = 'fail/dying'"));
        Assert.Equal(0, DeliveredWith(dying) + DeliveredWith(gone));
    }

    [Fact]
    public async Task The_test_message_reports_discords_answer()
    {
        await fixture.SettleAsync();
        var ok = await (await App.Admin().PostAsJsonAsync("/api/v1/notifications/test", new { })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.True((bool)ok["delivered"]!);
        Assert.Equal("default", (string?)ok["webhook"]);
        Assert.False(string.IsNullOrEmpty((string?)ok["discordMessageId"]));
        Assert.DoesNotContain(FakeDiscord.Token("1001"), ok.ToJsonString());

        Discord.Then(FakeDiscord.Reply.BadRequest);
        var refused = await (await App.Admin().PostAsJsonAsync("/api/v1/notifications/test", new { webhook = "default" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)refused["delivered"]!);
        Assert.Equal("Discord answered 400: Invalid Form Body", (string?)refused["answer"]);
        await (await App.Admin().PostAsJsonAsync("/api/v1/notifications/test", new { webhook = "nope" })).ReadProblemAsync(HttpStatusCode.NotFound);
        var reader = App.As(await App.CreateKeyAsync("reader"));
        await (await reader.PostAsJsonAsync("/api/v1/notifications/test", new { })).ReadProblemAsync(HttpStatusCode.Forbidden);
    }
}

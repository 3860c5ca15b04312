using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Notifications;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Notifications;

/// <summary>A default webhook and two routes: tag `support` → webhook 2002, folder `billing` → webhook 3003.</summary>
public sealed class RoutedApp : DiscordApp
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["PromptHub:Discord:Routes:0:Name"] = "support";
        settings["PromptHub:Discord:Routes:0:Tag"] = "support";
        settings["PromptHub:Discord:Routes:0:WebhookUrl"] = Discord.Webhook("2002");
        settings["PromptHub:Discord:Routes:1:Name"] = "billing";
        settings["PromptHub:Discord:Routes:1:Folder"] = "billing";
        settings["PromptHub:Discord:Routes:1:WebhookUrl"] = Discord.Webhook("3003");
    }
}

public sealed class RoutingAndClusterTests(RoutedApp fixture) : IClassFixture<RoutedApp>
{
    AppFactory App => fixture.App;
    FakeDiscord Discord => fixture.Discord;

    [Fact]
    public async Task Messages_go_to_the_webhook_of_the_prompts_tag_or_folder_else_to_the_default()
    {
        await fixture.SettleAsync();
        var admin = App.Admin();
        await admin.CreatePromptAsync("route/triage", tags: ["support"]);
        await admin.UploadAsync("route/triage", new { template = "t" });
        await admin.CreatePromptAsync("billing/invoice");
        await admin.UploadAsync("billing/invoice", new { template = "i" });
        await admin.CreatePromptAsync("route/other");
        await admin.UploadAsync("route/other", new { template = "o" });
        await fixture.DeliverAsync();

        string WebhookOf(string title) => fixture.RequestsFor(title).Single().Webhook;
        Assert.Equal("2002", WebhookOf("route/triage v1"));
        Assert.Equal("3003", WebhookOf("billing/invoice v1"));
        Assert.Equal("1001", WebhookOf("route/other v1"));
        var settings = await admin.GetJsonAsync("/api/v1/notifications/settings");
        Assert.Equal(["default", "support", "billing"], settings["webhooks"]!.AsArray().Select(w => (string)w!["name"]!));
        Assert.True((bool)settings["enabled"]!);
    }

    [Fact]
    public async Task Fifty_uploads_at_once_arrive_in_a_handful_of_messages()
    {
        await fixture.SettleAsync();
        var admin = App.Admin();
        var before = Discord.Delivered.Count;
        for (var i = 0; i < 50; i++)
        {
            await admin.CreatePromptAsync($"import/p{i:00}");
            await admin.UploadAsync($"import/p{i:00}", new { template = $"prompt {i}" });
        }
        await fixture.DeliverAsync();
        var messages = Discord.Delivered.Skip(before).ToList();
        Assert.Equal(5, messages.Count);
        Assert.Equal(50, messages.Sum(m => m.Body["embeds"]!.AsArray().Count));
        Assert.Equal(50, messages.SelectMany(m => m.Body["embeds"]!.AsArray()).Select(e => (string)e!["title"]!).Distinct().Count());
    }

    [Fact]
    public async Task Two_instances_draining_one_outbox_never_send_a_message_twice()
    {
        await fixture.SettleAsync();
        var admin = App.Admin();
        for (var i = 0; i < 30; i++)
        {
            await admin.CreatePromptAsync($"cluster/p{i:00}");
            await admin.UploadAsync($"cluster/p{i:00}", new { template = $"prompt {i}" });
        }
        await using var second = AppFactory.Joining(App);
        foreach (var (key, value) in App.With) second.With[key] = value;
        _ = second.Services; // started here, once: the factory must not be started from two threads at a time
        var deliveries = new[] { App, second, App, second }.Select(app =>
            Task.Run(() => app.Services.GetRequiredService<OutboxDelivery>().DeliverDueAsync(CancellationToken.None)));
        await Task.WhenAll(deliveries);

        var titles = Discord.Delivered.SelectMany(m => m.Body["embeds"]!.AsArray()).Select(e => (string)e!["title"]!)
            .Where(t => t.StartsWith("cluster/", StringComparison.Ordinal)).ToList();
        Assert.Equal(30, titles.Count);
        Assert.Equal(30, titles.Distinct().Count());
    }

    [Fact]
    public async Task No_webhook_url_or_token_reaches_a_log_line_or_an_answer()
    {
        await fixture.SettleAsync();
        var admin = App.Admin();
        await admin.CreatePromptAsync("secret/check", tags: ["support"]);
        await admin.UploadAsync("secret/check", new { template = "s" });
        Discord.Then(FakeDiscord.Reply.ServerError, FakeDiscord.Reply.ServerError, FakeDiscord.Reply.NotFound);
        await fixture.DeliverAsync();
        await (await admin.PostAsJsonAsync("/api/v1/notifications/test", new { webhook = "billing" })).ReadJsonAsync(HttpStatusCode.OK);
        var answers = new[]
        {
            await (await admin.GetAsync("/api/v1/notifications?pageSize=200")).Content.ReadAsStringAsync(),
            await (await admin.GetAsync("/api/v1/notifications/settings")).Content.ReadAsStringAsync(),
        };
        foreach (var id in new[] { "1001", "2002", "3003" })
        {
            var token = FakeDiscord.Token(id);
            Assert.DoesNotContain(App.Logs.Lines, l => l.Contains(token, StringComparison.Ordinal));
            Assert.DoesNotContain(answers, a => a.Contains(token, StringComparison.Ordinal));
        }
        Assert.DoesNotContain(App.Logs.Lines, l => l.Contains("/api/webhooks/", StringComparison.Ordinal));
        Assert.Contains("/…/2002/****", answers[1]);
    }
}

using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Notifications;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Notifications;

public sealed class EnvironmentTests
{
    [Fact]
    public async Task Outside_production_nothing_is_queued_and_the_log_says_why()
    {
        await using var discord = new FakeDiscord();
        await discord.StartAsync();
        var app = new AppFactory();
        await app.InitializeAsync();
        try
        {
            app.With["PromptHub:DeploymentEnvironment"] = "staging"; // ENVIRONMENT is read from the process (DeploymentEnvironmentTests)
            app.With["PromptHub:Discord:WebhookUrl"] = discord.Webhook();
            var admin = app.Admin();
            await admin.CreatePromptAsync("env/staging");
            await admin.UploadAsync("env/staging", new { template = "x" });
            Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM notifications.outbox"));
            Assert.Contains(app.Logs.Lines, l => l.Contains("Discord notifications are off", StringComparison.Ordinal) && l.Contains("'staging'", StringComparison.Ordinal));
            var settings = await admin.GetJsonAsync("/api/v1/notifications/settings");
            Assert.False((bool)settings["enabled"]!);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://discord.example/api/webhooks/1/abc")]
    [InlineData("http://discord.example/api/webhooks/1/abc")]
    public async Task A_malformed_webhook_url_stops_the_start_with_a_message_naming_the_setting_not_the_url(string url)
    {
        var (line, output) = await AppProcess.RefusedStartAsync(new Dictionary<string, string>
        {
            ["PromptHub:DeploymentEnvironment"] = "production",
            ["PromptHub:Discord:WebhookUrl"] = url,
        });
        Assert.Contains("PromptHub:Discord:WebhookUrl", line);
        Assert.DoesNotContain(output, l => l.Contains(url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Messages_pending_while_discord_is_down_are_delivered_once_after_a_restart()
    {
        await using var discord = new FakeDiscord { Otherwise = FakeDiscord.Reply.ServerError };
        await discord.StartAsync();
        var first = new AppFactory();
        await first.InitializeAsync();
        void Configure(AppFactory app)
        {
            app.With["PromptHub:DeploymentEnvironment"] = "production";
            app.With["PromptHub:Discord:WebhookUrl"] = discord.Webhook();
            app.With["PromptHub:Discord:TimeoutSeconds"] = "1";
            app.With["PromptHub:Discord:QuickRetries"] = "0";
            // The real delivery job: enqueued after each upload's commit, and at start-up
        }
        Configure(first);
        try
        {
            var admin = first.Admin();
            for (var i = 0; i < 3; i++)
            {
                await admin.CreatePromptAsync($"restart/p{i}");
                await admin.UploadAsync($"restart/p{i}", new { template = $"p{i}" });
            }
            await HttpAssertions.EventuallyAsync(() =>
            {
                Assert.True(discord.Requests.Count >= 1, "the job tried while Discord was down");
                return Task.CompletedTask;
            });
            await first.DisposeAsync(); // stopped with messages pending and Discord down

            discord.Otherwise = FakeDiscord.Reply.Ok;
            await using var second = AppFactory.On(first.ConnectionString, first.AdminSecret);
            Configure(second);
            await second.ExecuteAsync("UPDATE notifications.outbox SET next_attempt_at = now() WHERE state IN ('pending', 'sending')");
            _ = second.Services; // starts the app, which delivers what waited
            await HttpAssertions.EventuallyAsync(async () =>
                Assert.Equal("delivered,delivered,delivered", await second.ScalarAsync<string>("SELECT string_agg(state, ',') FROM notifications.outbox")),
                TimeSpan.FromSeconds(30));
            var titles = discord.Delivered.SelectMany(m => m.Body["embeds"]!.AsArray()).Select(e => (string)e!["title"]!).ToList();
            Assert.Equal(["restart/p0 v1", "restart/p1 v1", "restart/p2 v1"], titles.Order());
        }
        finally
        {
            await TestDatabase.DropAsync(first.DatabaseName);
        }
    }
}

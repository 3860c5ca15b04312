using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Notifications;

namespace PromptHub.Tests.Notifications;

/// <summary>
/// The app in production with a fake Discord. The delivery job is switched off (no sweep, no delivery
/// after each commit): tests deliver by hand, so that every attempt happens when the test says.
/// </summary>
public class DiscordApp : IAsyncLifetime
{
    public FakeDiscord Discord { get; } = new();
    public AppFactory App { get; private set; } = null!;

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async Task InitializeAsync()
    {
        await Discord.StartAsync();
        App = new AppFactory();
        await App.InitializeAsync();
        App.With["PromptHub:DeploymentEnvironment"] = "production";
        App.With["PromptHub:Discord:WebhookUrl"] = Discord.Webhook();
        App.With["PromptHub:Discord:TimeoutSeconds"] = "1";
        App.With["PromptHub:Discord:QuickRetries"] = "1";
        App.With["PromptHub:Discord:QuickRetryDelayMilliseconds"] = "50";
        App.With["PromptHub:Jobs:NotificationDeliveryCron"] = "-";
        Configure(App.With);
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)App).DisposeAsync();
        await Discord.DisposeAsync();
    }

    public Task<DeliveryReport> DeliverAsync() =>
        App.Services.GetRequiredService<OutboxDelivery>().DeliverDueAsync(CancellationToken.None);

    /// <summary>Delivers whatever earlier tests left pending, so that a test's script meets only its own messages.</summary>
    public async Task SettleAsync()
    {
        await DueNowAsync();
        await DeliverAsync();
    }

    /// <summary>The requests that carried the embed titled <paramref name="title"/>.</summary>
    public IReadOnlyList<FakeDiscord.Request> RequestsFor(string title) =>
        [.. Discord.Requests.Where(r => r.Body["embeds"] is JsonArray embeds && embeds.Any(e => (string?)e!["title"] == title))];

    /// <summary>Makes every waiting message due now (instead of waiting out its back-off).</summary>
    public Task DueNowAsync() => App.ExecuteAsync("UPDATE notifications.outbox SET next_attempt_at = now() WHERE state = 'pending'");

    public Task<string?> StatesAsync() =>
        App.ScalarAsync<string>("SELECT string_agg(state || ':' || attempts, ',' ORDER BY created_at) FROM notifications.outbox");
}

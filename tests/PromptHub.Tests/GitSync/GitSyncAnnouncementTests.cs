using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Notifications;

namespace PromptHub.Tests.GitSync;

public sealed class GitSyncAnnouncementTests : IAsyncLifetime
{
    readonly FakeDiscord _discord = new();
    readonly GitSyncApp _app = new();
    readonly TestRepository _repository = new();

    public async Task InitializeAsync()
    {
        await _discord.StartAsync();
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.With["PromptHub:DeploymentEnvironment"] = "production";
        _app.With["PromptHub:Discord:WebhookUrl"] = _discord.Webhook();
        _app.With["PromptHub:Jobs:NotificationDeliveryCron"] = "-"; // delivered by hand below
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        await _discord.DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task An_imported_version_is_announced_like_an_upload_and_a_preview_announces_nothing()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", "Hello {{ name }}\n").Commit("Greet customers", "Grace Hopper <grace@example.com>");
        await admin.ConnectAsync(new { url = _repository.FileUrl });

        await (await admin.PostAsync("/api/v1/git-source/preview", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, await _app.ScalarAsync<long>("SELECT count(*) FROM notifications.outbox"));

        await admin.SyncAsync();
        await admin.SyncAsync();
        Assert.Equal(1, await _app.ScalarAsync<long>("SELECT count(*) FROM notifications.outbox"));
        await _app.Services.GetRequiredService<OutboxDelivery>().DeliverDueAsync(CancellationToken.None);

        var sent = Assert.Single(_discord.Delivered);
        var embed = sent.Body["embeds"]![0]!;
        Assert.Equal("greeting v1", (string)embed["title"]!);
        Assert.Contains("Grace Hopper", embed.ToJsonString());
        Assert.Contains("Greet customers", embed.ToJsonString());
    }
}

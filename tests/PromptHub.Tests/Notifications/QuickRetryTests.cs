using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Notifications;

namespace PromptHub.Tests.Notifications;

/// <summary>The Discord client's quick retries: the HttpClient's resilience handler, as the app sets it up.</summary>
public sealed class QuickRetryTests : IAsyncLifetime
{
    readonly FakeDiscord _discord = new();

    public Task InitializeAsync() => _discord.StartAsync();

    public async Task DisposeAsync() => await _discord.DisposeAsync();

    DiscordWebhookClient Client(ServiceProvider provider) => provider.GetRequiredService<DiscordWebhookClient>();

    ServiceProvider Services()
    {
        var services = new ServiceCollection();
        var settings = new DiscordOptions { QuickRetries = 2, QuickRetryDelayMilliseconds = 50, TimeoutSeconds = 30 };
        services.AddHttpClient<DiscordWebhookClient>().AddResilienceHandler("discord", pipeline => DiscordWebhookClient.AddDiscordResilience(pipeline, settings));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_500_is_sent_again_at_once_and_the_second_answer_counts()
    {
        await using var provider = Services();
        _discord.Then(FakeDiscord.Reply.ServerError);
        var answer = await Client(provider).SendAsync(_discord.Webhook(), new JsonObject { ["content"] = "hello" }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));
        Assert.IsType<DiscordAnswer.Delivered>(answer);
        Assert.Equal([FakeDiscord.Reply.ServerError, FakeDiscord.Reply.Ok], _discord.Requests.Select(r => r.Answer));
    }

    [Fact]
    public async Task A_429_is_not_retried_here_but_handed_back_with_its_wait()
    {
        await using var provider = Services();
        _discord.Then(FakeDiscord.Reply.RateLimited);
        var answer = await Client(provider).SendAsync(_discord.Webhook(), new JsonObject { ["content"] = "hello" }, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(_discord.RetryAfterSeconds), Assert.IsType<DiscordAnswer.RetryAfter>(answer).Wait);
        Assert.Single(_discord.Requests);
    }
}

using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.Notifications;

/// <summary>Says once, at start-up, whether announcements are on and why not; when on, delivers what waited while no instance ran.</summary>
sealed class NotificationStartupNote(NotificationSwitch notifications, IOptions<DiscordOptions> options, IBackgroundJobClient jobs, IJobCatalog catalog,
    IConfiguration configuration, ILogger<NotificationStartupNote> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifications.WhyOff is { } why)
        {
            log.LogInformation("{Why}", why);
            return Task.CompletedTask;
        }
        log.LogInformation("Discord notifications are on: webhooks {Webhooks}", string.Join(", ", options.Value.Webhooks().Select(w => w.Name)));
        DeliveryAfterCommit.Deliver(jobs, catalog, configuration, log);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

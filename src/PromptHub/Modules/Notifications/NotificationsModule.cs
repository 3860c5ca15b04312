using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Jobs;
using PromptHub.Modules.Prompts;
using Hangfire;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PromptHub.Modules.Notifications;

/// <summary>Discord announcements of production uploads, through a transactional outbox drained by a job.</summary>
public static class NotificationsModule
{
    public static void AddNotificationsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // A malformed webhook URL stops the start-up, with a message that names the setting, not the URL.
        services.AddOptions<DiscordOptions>().BindConfiguration("PromptHub:Discord").ValidateOnStart();
        services.AddSingleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidation>();
        services.AddSingleton<NotificationSwitch>();
        services.AddScoped<IPromptEvents, ProductionAnnouncements>();
        services.AddScoped<IExperimentEvents, ExperimentAnnouncements>();
        services.AddSingleton<OutboxDelivery>();
        services.AddSingleton<OutboxRetry>();
        services.AddHttpClient<DiscordWebhookClient>(client => client.Timeout = Timeout.InfiniteTimeSpan) // the handler times each attempt
            .RemoveAllLoggers()                                                                     // request lines would carry the URL
            .AddResilienceHandler("discord", (pipeline, context) =>
                DiscordWebhookClient.AddDiscordResilience(pipeline, context.ServiceProvider.GetRequiredService<IOptions<DiscordOptions>>().Value));
        services.AddHostedService<NotificationStartupNote>();
        // Each commit that queues a message enqueues a delivery; the sweep catches retries and anything missed.
        services.AddSingleton<IInterceptor, DeliveryAfterCommit>();
        builder.AddRecurringJob<NotificationDeliveryJob>(NotificationDeliveryJob.Name, "Delivers queued Discord notifications that are due (retries, and any not sent at once)",
            "PromptHub:Jobs:NotificationDeliveryCron", "* * * * *");
    }

    public static void MapNotificationsEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapNotificationRoutes();
        api.MapOpsNotificationRoutes();
        OpsNotifications.AddDashboardPage();
    }
}

sealed class DiscordOptionsValidation : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

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

/// <summary>
/// Delivers what is due: enqueued after each commit that queues a message, and swept every minute
/// (retries whose back-off has passed, and anything not sent at once). Leases make overlapping runs, on
/// one instance or several, safe. A failed run is not retried by Hangfire: the outbox has its own
/// back-off, and the next sweep comes within a minute.
/// </summary>
[AutomaticRetry(Attempts = 0)]
sealed class NotificationDeliveryJob(OutboxDelivery delivery) : IRecurringJob
{
    public const string Name = "notifications-delivery";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var report = await delivery.DeliverDueAsync(cancellationToken);
        return report.Messages == 0 ? "nothing due"
            : $"{report.Delivered} delivered, {report.Retrying} to retry, {report.Failed} failed in {report.Messages} Discord message(s)";
    }
}

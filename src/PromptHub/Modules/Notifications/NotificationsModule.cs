using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Jobs;
using PromptHub.Modules.Prompts;

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

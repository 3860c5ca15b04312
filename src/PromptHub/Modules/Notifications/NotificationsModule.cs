using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Jobs;
using PromptHub.Modules.Prompts;
using Quartz;

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
        services.AddHttpClient<DiscordWebhookClient>(client => client.Timeout = Timeout.InfiniteTimeSpan) // Polly times each attempt
            .RemoveAllLoggers();                                                                    // request lines would carry the URL
        services.AddHostedService<NotificationStartupNote>();
        builder.AddRecurringJob<NotificationDeliveryJob>(NotificationDeliveryJob.Name, "Delivers queued Discord notifications",
            "PromptHub:Jobs:NotificationDeliveryCron", "0/5 * * * * ?");
    }

    public static void MapNotificationsEndpoints(this IEndpointRouteBuilder api) => api.MapNotificationRoutes();
}

sealed class DiscordOptionsValidation : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>Says once, at start-up, whether announcements are on and why not.</summary>
sealed class NotificationStartupNote(NotificationSwitch notifications, IOptions<DiscordOptions> options, ILogger<NotificationStartupNote> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifications.WhyOff is { } why) log.LogInformation("{Why}", why);
        else log.LogInformation("Discord notifications are on: webhooks {Webhooks}", string.Join(", ", options.Value.Webhooks().Select(w => w.Name)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Every few seconds: delivers what is due. One run at a time in the cluster; leases make even overlapping runs safe.</summary>
[DisallowConcurrentExecution]
sealed class NotificationDeliveryJob(OutboxDelivery delivery) : IJob
{
    public const string Name = "notifications-delivery";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var report = await delivery.DeliverDueAsync(cancellationToken);
        context.Result = report.Messages == 0
            ? JobRunReport.Skipped("nothing due")
            : JobRunReport.Succeeded($"{report.Delivered} delivered, {report.Retrying} to retry, {report.Failed} failed in {report.Messages} message(s)")
                .With("delivered", report.Delivered).With("retrying", report.Retrying).With("failed", report.Failed);
    }
}

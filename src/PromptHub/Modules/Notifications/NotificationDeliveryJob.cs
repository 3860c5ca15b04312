using Hangfire;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.Notifications;

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

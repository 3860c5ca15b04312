using System.Data.Common;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.Notifications;

/// <summary>
/// When a transaction that wrote outbox messages commits, a delivery job is enqueued at once, so the
/// message leaves within moments, not at the next sweep. Enqueued only after the commit: a job started
/// before it would find nothing. If the enqueue fails (the database just went away), the sweep delivers.
/// Switching the delivery job off (`PromptHub:Jobs:NotificationDeliveryCron` = `-`) switches this off too.
/// </summary>
sealed class DeliveryAfterCommit(IBackgroundJobClient jobs, IJobCatalog catalog, IConfiguration configuration, ILogger<DeliveryAfterCommit> log)
    : DbTransactionInterceptor
{
    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Messages are only ever added through the context (listing and retrying do not track them).
        if (eventData.Context?.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Unchanged) == true) Deliver(jobs, catalog, configuration, log);
        return Task.CompletedTask;
    }

    /// <summary>Enqueues a delivery now, unless the delivery job is off.</summary>
    public static void Deliver(IBackgroundJobClient jobs, IJobCatalog catalog, IConfiguration configuration, ILogger log)
    {
        if (!catalog.IsOn(NotificationDeliveryJob.Name, configuration)) return;
        try
        {
            jobs.Enqueue<NotificationDeliveryJob>(job => job.RunAsync(CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Could not enqueue the delivery of new notifications ({Error}); the sweep will send them", e.Message);
        }
    }
}

using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PromptHub.Modules.Jobs;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

/// <summary>
/// A failed or dead message goes back to the queue with fresh attempts, and a delivery is enqueued at
/// once. By a project's admin (`/api/v1/notifications/{id}/retry`) or by ops for any project.
/// </summary>
sealed class OutboxRetry(IBackgroundJobClient jobs, IJobCatalog catalog, IConfiguration configuration, TimeProvider time, ILogger<OutboxRetry> log)
{
    /// <param name="projectId">The caller's project, or null for ops (installation-wide).</param>
    public async Task<OutboxMessage> RetryAsync(PromptHubDb db, string id, Guid? projectId, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var messageId)) throw ProblemException.Invalid("id", "is not a notification id");
        var now = time.GetUtcNow();
        var scope = db.Outbox.Where(m => m.Id == messageId && (projectId == null || m.ProjectId == projectId));
        var updated = await scope.Where(m => m.State == OutboxState.Failed || m.State == OutboxState.Dead)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.State, OutboxState.Pending).SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.NextAttemptAt, now).SetProperty(x => x.LastError, (string?)null), ct);
        var message = await scope.AsNoTracking().SingleOrDefaultAsync(ct) ?? throw ProblemException.NotFound($"There is no notification '{messageId}'.");
        if (updated == 0) throw ProblemException.Conflict($"Only failed or dead notifications can be retried; this one is {EnumText.Lower(message.State)}.");
        DeliveryAfterCommit.Deliver(jobs, catalog, configuration, log);
        return message;
    }
}

using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Jobs;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.GitSync;

/// <summary>
/// Every minute: syncs each source whose next attempt is due (PromptHub:GitSync:Interval after the last one,
/// longer while it fails), then drops fetch log entries past PromptHub:GitSync:LogRetentionDays.
/// A failing repository fails its sync, not the job: the others still run.
/// </summary>
sealed class GitSyncJob(PromptHubDb db, GitSync sync, IOptions<GitSyncOptions> options, TimeProvider time) : IRecurringJob
{
    public const string Name = GitSyncContract.SyncJobId;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await db.GitSources.AsNoTracking().Where(s => s.NextAttemptAt == null || s.NextAttemptAt <= now)
            .OrderBy(s => s.NextAttemptAt).Select(s => s.ProjectId).ToListAsync(cancellationToken);
        var failed = 0;
        foreach (var projectId in due)
        {
            try
            {
                var report = await sync.SyncAsync(projectId, FetchTrigger.Schedule, cancellationToken);
                if (report.Result == "failed") failed++;
            }
            catch (Platform.Http.ProblemException e) when (e.Status == 404)
            {
                // Disconnected meanwhile.
            }
        }
        var cutoff = now.AddDays(-options.Value.LogRetentionDays);
        var removed = await db.GitFetches.Where(f => f.StartedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        return $"synced {due.Count} source(s), {failed} failed; removed {removed} old fetch log entries";
    }
}

/// <summary>A sync asked for by a verified webhook: queued in Hangfire, so an acknowledged push is never lost.</summary>
sealed class GitWebhookSyncJob(GitSync sync)
{
    public const string Name = "git-sync-webhook";

    public async Task<string> RunAsync(Guid projectId, PerformContext? context, CancellationToken cancellationToken)
    {
        var report = await sync.SyncAsync(projectId, FetchTrigger.Webhook, cancellationToken);
        return $"project {projectId:N}: {report.Result}, {report.Created} created, {report.Rejected} rejected";
    }
}

using Hangfire;
using Microsoft.EntityFrameworkCore;
using PromptHub.Modules.Jobs;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// A roll-up of a date range for one project, on demand: a row says whose and which days and counts
/// the days done; a Hangfire job runs it (retried on failure, safe to run again), and its state is the
/// backfill's state.
/// </summary>
sealed class Backfills(PromptHubDb db, IBackgroundJobClient jobs, IJobRuns runs, DailyRollUp rollUp, TimeProvider time)
{
    /// <summary>The on-demand job's id as ops see it: kept from its first release.</summary>
    public const string JobName = "analytics-backfill";

    public async Task<BackfillView> RequestAsync(Guid projectId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var backfill = Backfill.Request(projectId, from, to, time.GetUtcNow());
        db.Backfills.Add(backfill);
        // Saved before the job is enqueued, so that the job always finds its row.
        await db.SaveChangesAsync(ct);
        backfill.RunBy(jobs.Enqueue<BackfillJob>(job => job.RunAsync(backfill.Id, null, CancellationToken.None)));
        await db.SaveChangesAsync(ct);
        return await ViewAsync(backfill, ct);
    }

    public async Task<BackfillView?> FindAsync(Guid projectId, Guid id, CancellationToken ct) =>
        await db.Backfills.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id && b.ProjectId == projectId, ct) is { } backfill
            ? await ViewAsync(backfill, ct)
            : null;

    async Task<BackfillView> ViewAsync(Backfill backfill, CancellationToken ct)
    {
        var run = backfill.JobId is null ? null : await runs.FindAsync(backfill.JobId, ct);
        // Hangfire forgets a succeeded job after a week; every day done is then the only trace of it.
        var state = run?.State ?? (backfill.DaysDone == backfill.Days ? "succeeded" : "unknown");
        return new BackfillView(backfill.Id, backfill.JobId, backfill.FirstDay, backfill.LastDay, state, backfill.DaysDone, backfill.Days,
            run?.Attempt ?? 1, run?.Error, backfill.RequestedAt, run?.StartedAt, run?.FinishedAt);
    }

    /// <summary>The job's work: every day of the range, counted as it goes. Throws so that Hangfire retries.</summary>
    public async Task<int> RunAsync(Guid id, CancellationToken ct)
    {
        var backfill = await db.Backfills.SingleOrDefaultAsync(b => b.Id == id, ct)
            ?? throw new InvalidOperationException($"Backfill {id} does not exist.");
        backfill.Start();
        await db.SaveChangesAsync(ct);
        for (var day = backfill.FirstDay; day <= backfill.LastDay; day = day.AddDays(1))
        {
            await rollUp.RollUpAsync(day, backfill.ProjectId, ct);
            backfill.DayDone();
            await db.SaveChangesAsync(ct);
        }
        return backfill.Days;
    }
}

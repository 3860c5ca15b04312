using Hangfire;
using Hangfire.Storage;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Jobs;

/// <summary>A recurring job as ops see it: schedule, last and next run, and whether it is paused and why.</summary>
public sealed record RecurringJobView(string Id, string Description, string Cron, string CronDescription, string TimeZone,
    DateTimeOffset? NextExecution, DateTimeOffset? LastExecution, string? LastJobId, string? LastState,
    bool Paused, string? PauseReason, string? PausedBy, DateTimeOffset? PausedAt, string? Error);

public sealed record TriggeredJob(string RecurringJobId, string JobId);

/// <summary>What the dashboard's pages and `/api/v1/ops/jobs` show and do with recurring jobs: one implementation for both.</summary>
public sealed class RecurringJobs(JobStorage storage, IRecurringJobManagerV2 manager, JobCatalog catalog, JobPauses pauses)
{
    public async Task<IReadOnlyList<RecurringJobView>> ListAsync(CancellationToken ct)
    {
        var paused = await pauses.CurrentAsync(ct);
        using var connection = storage.GetConnection();
        return [.. connection.GetRecurringJobs().OrderBy(j => j.Id, StringComparer.Ordinal).Select(job =>
        {
            var pause = paused.GetValueOrDefault(job.Id);
            return new RecurringJobView(job.Id, catalog.Find(job.Id)?.Description ?? "", job.Cron, CronSchedule.Describe(job.Cron), job.TimeZoneId ?? "UTC",
                Utc(job.NextExecution), Utc(job.LastExecution), job.LastJobId, job.LastJobState?.ToLowerInvariant(),
                pause is not null, pause?.Reason, pause?.Actor, pause?.At, job.Error);
        })];
    }

    public async Task<RecurringJobView> FindAsync(string id, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(j => j.Id == id) ?? throw ProblemException.NotFound($"There is no recurring job '{id}'.");

    /// <summary>Runs the job now, paused or not.</summary>
    public async Task<TriggeredJob> TriggerAsync(string id, CancellationToken ct)
    {
        await FindAsync(id, ct);
        var jobId = manager.TriggerJob(id) ?? throw ProblemException.NotFound($"There is no recurring job '{id}'.");
        return new TriggeredJob(id, jobId);
    }

    public async Task<RecurringJobView> PauseAsync(string id, string? reason, string actor, CancellationToken ct)
    {
        reason = reason?.Trim();
        new Validation()
            .Check(!string.IsNullOrEmpty(reason), "reason", "is required: say why the job is paused")
            .Check(reason is null || reason.Length <= JobPauses.MaxReasonLength, "reason", $"must be at most {JobPauses.MaxReasonLength} characters")
            .ThrowIfInvalid();
        await FindAsync(id, ct);
        await pauses.PauseAsync(id, reason!, actor, ct);
        return await FindAsync(id, ct);
    }

    public async Task<RecurringJobView> ResumeAsync(string id, string actor, CancellationToken ct)
    {
        await FindAsync(id, ct);
        if (!await pauses.ResumeAsync(id, actor, ct)) throw ProblemException.Conflict($"The recurring job '{id}' is not paused.");
        return await FindAsync(id, ct);
    }

    static DateTimeOffset? Utc(DateTime? at) => at is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
}

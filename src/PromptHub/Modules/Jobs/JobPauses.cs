using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Jobs;

/// <summary>One pause or resume of a recurring job, with who did it and why; the latest one per job is its state.</summary>
public sealed class JobPauseEvent
{
    public long Id { get; private set; }
    public string JobId { get; private set; } = "";
    public bool Paused { get; private set; }
    public string? Reason { get; private set; }
    public string Actor { get; private set; } = "";
    public DateTimeOffset At { get; private set; }

    public static JobPauseEvent Pause(string jobId, string reason, string actor, DateTimeOffset now) =>
        new() { JobId = jobId, Paused = true, Reason = reason, Actor = actor, At = now };

    public static JobPauseEvent Resume(string jobId, string actor, DateTimeOffset now) =>
        new() { JobId = jobId, Paused = false, Actor = actor, At = now };
}

public sealed record JobPause(string Reason, string Actor, DateTimeOffset At);

sealed class JobPauseEventMapping : IEntityTypeConfiguration<JobPauseEvent>
{
    public void Configure(EntityTypeBuilder<JobPauseEvent> entity)
    {
        entity.ToTable("pause_log", JobPauses.Schema);
        entity.HasKey(e => e.Id);
        entity.Property(e => e.Id).UseIdentityAlwaysColumn();
        entity.Property(e => e.JobId).HasMaxLength(100);
        entity.Property(e => e.Reason).HasMaxLength(JobPauses.MaxReasonLength);
        entity.Property(e => e.Actor).HasMaxLength(200);
        entity.HasIndex(e => new { e.JobId, e.Id });
    }
}

/// <summary>
/// Pause and resume of recurring jobs, which Hangfire's open-source edition lacks. A paused job keeps
/// its cron: each firing is still created, and recorded as Skipped with the pause's reason (so its
/// history says why nothing ran); a manual trigger still runs it. The log keeps every pause and resume.
/// </summary>
public sealed class JobPauses(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = "jobs";
    public const int MaxReasonLength = 500;

    public async Task<IReadOnlyDictionary<string, JobPause>> CurrentAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT job_id, reason, actor, at FROM (
                SELECT DISTINCT ON (job_id) job_id, paused, reason, actor, at FROM jobs.pause_log ORDER BY job_id, id DESC) latest
            WHERE paused
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var paused = new Dictionary<string, JobPause>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            paused[reader.GetString(0)] = new JobPause(reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
        return paused;
    }

    /// <summary>The pause of one job, synchronously: Hangfire's state filters are not async.</summary>
    public JobPause? Of(string jobId)
    {
        using var command = dataSource.CreateCommand("SELECT paused, reason, actor, at FROM jobs.pause_log WHERE job_id = $1 ORDER BY id DESC LIMIT 1");
        command.Parameters.AddWithValue(jobId);
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetBoolean(0) ? new JobPause(reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)) : null;
    }

    /// <summary>Pauses (or re-pauses with a new reason).</summary>
    public Task PauseAsync(string jobId, string reason, string actor, CancellationToken ct) =>
        RecordAsync(JobPauseEvent.Pause(jobId, reason, actor, time.GetUtcNow()), ct);

    /// <returns>false when the job was not paused.</returns>
    public async Task<bool> ResumeAsync(string jobId, string actor, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO jobs.pause_log (job_id, paused, reason, actor, at)
            SELECT $1, false, NULL, $2, $3
            WHERE (SELECT paused FROM jobs.pause_log WHERE job_id = $1 ORDER BY id DESC LIMIT 1)
            """);
        command.Parameters.AddWithValue(jobId);
        command.Parameters.AddWithValue(actor);
        command.Parameters.AddWithValue(time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    async Task RecordAsync(JobPauseEvent e, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO jobs.pause_log (job_id, paused, reason, actor, at) VALUES ($1, $2, $3, $4, $5)");
        command.Parameters.AddWithValue(e.JobId);
        command.Parameters.AddWithValue(e.Paused);
        command.Parameters.AddWithValue(e.Reason!);
        command.Parameters.AddWithValue(e.Actor);
        command.Parameters.AddWithValue(e.At);
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>A firing of a paused recurring job: final, never run, with the pause's reason and author.</summary>
public sealed class SkippedState(JobPause pause) : IState
{
    public const string StateName = "Skipped";

    public string Name => StateName;
    public string Reason => $"Paused by {pause.Actor}: {pause.Reason}";
    public bool IsFinal => true;
    public bool IgnoreJobLoadException => true;

    public Dictionary<string, string> SerializeData() => new()
    {
        ["PausedBy"] = pause.Actor,
        ["PauseReason"] = pause.Reason,
        ["PausedAt"] = pause.At.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Turns the scheduler's firing of a paused recurring job into <see cref="SkippedState"/>. Only the
/// recurring scheduler's own enqueue is skipped: "Trigger now" (dashboard or API) enqueues with another reason.
/// </summary>
sealed class SkipPausedFirings(JobPauses pauses) : Hangfire.Common.JobFilterAttribute, IElectStateFilter
{
    const string SchedulerReason = "Triggered by recurring job scheduler";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not EnqueuedState { Reason: SchedulerReason }) return;
        var recurringJobId = context.GetJobParameter<string>("RecurringJobId", allowStale: true);
        if (recurringJobId is not null && pauses.Of(recurringJobId) is { } pause)
        {
            context.CandidateState = new SkippedState(pause);
        }
    }
}

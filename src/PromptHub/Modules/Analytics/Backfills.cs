using Hangfire;
using Npgsql;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// Re-aggregation of a date range for one project, on demand: a row says whose and which days and counts
/// the days done; a Hangfire job runs it (retried on failure, safe to run again), and its state is the
/// backfill's state.
/// </summary>
sealed class Backfills(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, JobRuns runs, DailyAggregation aggregation, TimeProvider time)
{
    public const string JobName = "analytics-backfill";

    public async Task<BackfillView> RequestAsync(Guid projectId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow());
        await ExecuteAsync("INSERT INTO analytics.backfills (id, project_id, first_day, last_day, days_done, requested_at) VALUES ($1, $2, $3, $4, 0, $5)",
            ct, id, projectId, from, to, time.GetUtcNow());
        var jobId = jobs.Enqueue<BackfillJob>(job => job.RunAsync(id, null, CancellationToken.None));
        await ExecuteAsync("UPDATE analytics.backfills SET job_id = $2 WHERE id = $1", ct, id, jobId);
        return (await FindAsync(projectId, id, ct))!;
    }

    public async Task<BackfillView?> FindAsync(Guid projectId, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT first_day, last_day, job_id, days_done, requested_at FROM analytics.backfills WHERE id = $1 AND project_id = $2
            """);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(projectId);
        DateOnly from, to;
        string? jobId;
        int done;
        DateTimeOffset requestedAt;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) return null;
            (from, to, jobId, done, requestedAt) = (reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4));
        }
        var days = to.DayNumber - from.DayNumber + 1;
        var run = jobId is null ? null : await runs.FindAsync(jobId, ct);
        // Hangfire forgets a succeeded job after a week; every day done is then the only trace of it.
        var state = run?.State ?? (done == days ? "succeeded" : "unknown");
        return new BackfillView(id, jobId, from, to, state, done, days, run?.Attempt ?? 1, run?.Error, requestedAt, run?.StartedAt, run?.FinishedAt);
    }

    /// <summary>The job's work: every day of the range, counted as it goes. Throws so that Hangfire retries.</summary>
    public async Task<int> RunAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("UPDATE analytics.backfills SET days_done = 0 WHERE id = $1 RETURNING project_id, first_day, last_day");
        command.Parameters.AddWithValue(id);
        Guid projectId;
        DateOnly from, to;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"Backfill {id} does not exist.");
            (projectId, from, to) = (reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2));
        }
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            await aggregation.AggregateAsync(day, projectId, ct);
            await ExecuteAsync("UPDATE analytics.backfills SET days_done = days_done + 1 WHERE id = $1", ct, id);
        }
        return to.DayNumber - from.DayNumber + 1;
    }

    async Task ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}

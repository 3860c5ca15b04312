using Microsoft.EntityFrameworkCore;
using Npgsql;
using PromptHub.Modules.Jobs;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// Re-aggregation of a date range for one project, on demand: recorded as a row (its state is what
/// `GET …/backfill/{id}` answers) and run by a one-off job, which may run again safely.
/// </summary>
sealed class Backfills(PromptHubDb db, NpgsqlDataSource dataSource, IJobQueue jobs, DailyAggregation aggregation, TimeProvider time)
{
    public const string JobName = "analytics-backfill";
    public const string BackfillIdKey = "backfillId";

    public async Task<BackfillView> RequestAsync(Guid projectId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(time.GetUtcNow());
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO analytics.backfills (id, project_id, first_day, last_day, state, days_done, requested_at)
            VALUES ({id}, {projectId}, {from}, {to}, 'queued', 0, {time.GetUtcNow()})
            """, ct);
        await jobs.EnqueueAsync(JobName, new Dictionary<string, string> { [BackfillIdKey] = id.ToString() }, ct);
        return (await FindAsync(projectId, id, ct))!;
    }

    public async Task<BackfillView?> FindAsync(Guid projectId, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, first_day, last_day, state, days_done, error, requested_at, started_at, finished_at
            FROM analytics.backfills WHERE id = $1 AND project_id = $2
            """);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(projectId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var from = reader.GetFieldValue<DateOnly>(1);
        var to = reader.GetFieldValue<DateOnly>(2);
        return new BackfillView(reader.GetGuid(0), from, to, reader.GetString(3), reader.GetInt32(4), to.DayNumber - from.DayNumber + 1,
            reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6),
            reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8));
    }

    /// <summary>The job's work: every day of the range, then the final state. Throws so that the scheduler retries.</summary>
    public async Task RunAsync(Guid id, bool lastAttempt, CancellationToken ct)
    {
        var (projectId, from, to) = await StartAsync(id, ct);
        try
        {
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                await aggregation.AggregateAsync(day, projectId, ct);
                await UpdateAsync(id, "UPDATE analytics.backfills SET days_done = days_done + 1 WHERE id = $1", null, ct);
            }
            await UpdateAsync(id, "UPDATE analytics.backfills SET state = 'succeeded', finished_at = $2, error = NULL WHERE id = $1", time.GetUtcNow(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (lastAttempt)
            {
                await UpdateAsync(id, "UPDATE analytics.backfills SET state = 'failed', finished_at = $2, error = left($3, 2000) WHERE id = $1",
                    time.GetUtcNow(), CancellationToken.None, e.Message);
            }
            throw;
        }
    }

    async Task<(Guid ProjectId, DateOnly From, DateOnly To)> StartAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE analytics.backfills SET state = 'running', started_at = $2, days_done = 0 WHERE id = $1
            RETURNING project_id, first_day, last_day
            """);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"Backfill {id} does not exist.");
        return (reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2));
    }

    async Task UpdateAsync(Guid id, string sql, DateTimeOffset? at, CancellationToken ct, string? error = null)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(id);
        if (at is not null) command.Parameters.AddWithValue(at.Value);
        if (error is not null) command.Parameters.AddWithValue(error);
        await command.ExecuteNonQueryAsync(ct);
    }
}

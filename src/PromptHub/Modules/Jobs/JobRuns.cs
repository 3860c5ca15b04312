using System.Text.Json;
using Npgsql;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Jobs;

/// <summary>Which runs to list: all the given filters at once.</summary>
public sealed record RunFilter(string? Job, string? State, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// Runs as ops read them, straight from Hangfire's tables (`hangfire.job`, `.state`, `.jobparameter`):
/// Hangfire's own monitoring API pages by state only, not by job or time. Paged in SQL, newest first.
/// </summary>
public sealed class JobRuns(NpgsqlDataSource dataSource) : IJobRuns
{
    /// <summary>Hangfire's states (and PromptHub's Skipped), as the API names them.</summary>
    public static readonly string[] States = ["enqueued", "scheduled", "processing", "succeeded", "failed", "deleted", "awaiting", "skipped"];

    const string Columns = """
        SELECT j.id, name.value, j.statename, current.reason, j.createdat, started.createdat,
               CASE WHEN j.statename IN ('Succeeded', 'Failed', 'Deleted', 'Skipped') THEN current.createdat END,
               retries.value, failure.data::text, current.data::text, started.data::text
        """;

    const string StateJoins = """
        LEFT JOIN LATERAL (SELECT s.reason, s.createdat, s.data FROM hangfire.state s WHERE s.id = j.stateid) current ON true
        LEFT JOIN LATERAL (SELECT s.createdat, s.data FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Processing' ORDER BY s.id DESC LIMIT 1) started ON true
        LEFT JOIN LATERAL (SELECT s.data FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Failed' ORDER BY s.id DESC LIMIT 1) failure ON true
        LEFT JOIN hangfire.jobparameter retries ON retries.jobid = j.id AND retries.name = 'RetryCount'
        """;

    public async Task<Paged<JobRun>> ListAsync(RunFilter filter, PageRequest paging, CancellationToken ct)
    {
        var (where, parameters) = Where(filter);
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command($"SELECT count(*) FROM hangfire.job j {where}", parameters));
        var page = Command($"""
            {Columns}
            FROM (SELECT j.* FROM hangfire.job j {where} ORDER BY j.id DESC LIMIT @limit OFFSET @offset) j
            LEFT JOIN hangfire.jobparameter name ON name.jobid = j.id AND name.name = 'Job'
            {StateJoins}
            ORDER BY j.id DESC
            """, parameters);
        page.Parameters.AddWithValue("limit", paging.PageSize);
        page.Parameters.AddWithValue("offset", paging.Skip);
        batch.BatchCommands.Add(page);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var runs = new List<JobRun>();
        while (await reader.ReadAsync(ct)) runs.Add(Read(reader));
        return new Paged<JobRun>(runs, paging.Page, paging.PageSize, (int)total);
    }

    public async Task<JobRun?> FindAsync(string jobId, CancellationToken ct)
    {
        if (!long.TryParse(jobId, out var id)) return null;
        await using var command = dataSource.CreateCommand($"""
            {Columns}
            FROM hangfire.job j
            LEFT JOIN hangfire.jobparameter name ON name.jobid = j.id AND name.name = 'Job'
            {StateJoins}
            WHERE j.id = $1
            """);
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>
    /// Only the filters given become conditions (no `@x IS NULL OR …`), so that PostgreSQL plans each
    /// query for what it asks: an unfiltered count reads `hangfire.job` alone, a state uses Hangfire's
    /// index on statename, a job name is a semi-join on its parameters (bench/ops-runs.sh).
    /// </summary>
    static (string Where, NpgsqlParameter[] Parameters) Where(RunFilter filter)
    {
        var conditions = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (filter.Job is not null)
        {
            conditions.Add($"j.id IN (SELECT p.jobid FROM hangfire.jobparameter p WHERE p.name = '{JobNames.Parameter}' AND p.value = to_json(@job::text)::text)");
            parameters.Add(new NpgsqlParameter("job", filter.Job));
        }
        if (HangfireStateName(filter.State) is { } state)
        {
            conditions.Add("j.statename = @state");
            parameters.Add(new NpgsqlParameter("state", state));
        }
        if (filter.From is { } from)
        {
            conditions.Add("j.createdat >= @from");
            parameters.Add(new NpgsqlParameter("from", from));
        }
        if (filter.To is { } to)
        {
            conditions.Add("j.createdat < @to");
            parameters.Add(new NpgsqlParameter("to", to));
        }
        return (conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions), parameters.ToArray());
    }

    static NpgsqlBatchCommand Command(string sql, NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(parameter.Clone());
        return command;
    }

    /// <summary>`failed` → `Failed`: Hangfire stores state names capitalised; the API takes them in lower case.</summary>
    static string? HangfireStateName(string? state) => state is null or "" ? null : char.ToUpperInvariant(state[0]) + state[1..];

    static JobRun Read(NpgsqlDataReader r)
    {
        DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        var state = r.IsDBNull(2) ? "" : r.GetString(2);
        var started = At(5);
        var finished = At(6);
        var retries = r.IsDBNull(7) ? 0 : int.TryParse(r.GetString(7), out var n) ? n : 0;
        var failure = r.IsDBNull(8) ? null : Data(r.GetString(8));
        var current = r.IsDBNull(9) ? null : Data(r.GetString(9));
        var server = r.IsDBNull(10) ? null : Data(r.GetString(10))?.GetValueOrDefault("ServerId");
        var error = failure is null ? null : $"{failure.GetValueOrDefault("ExceptionType")}: {failure.GetValueOrDefault("ExceptionMessage")}";
        return new JobRun(r.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.IsDBNull(1) ? "" : JsonSerializer.Deserialize<string>(r.GetString(1)) ?? "", state.ToLowerInvariant(), r.IsDBNull(3) ? null : r.GetString(3),
            r.GetFieldValue<DateTimeOffset>(4), started, finished, started is not null && finished is not null ? (long)(finished.Value - started.Value).TotalMilliseconds : null,
            retries + 1, server, error, state == "Succeeded" ? Text(current?.GetValueOrDefault("Result")) : null);
    }

    /// <summary>A job's result as Hangfire keeps it: serialized as JSON (a string result is a JSON string).</summary>
    static string? Text(string? json)
    {
        if (json is null || !json.StartsWith('"')) return json;
        try
        {
            return JsonSerializer.Deserialize<string>(json);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    static Dictionary<string, string>? Data(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

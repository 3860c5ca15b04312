using Npgsql;
using NpgsqlTypes;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Analytics;

public sealed record OutcomeInput(string? ExecutionId, bool? Success, double? Score, double? Value);
public sealed record OutcomeBatch(OutcomeInput[]? Outcomes);
public sealed record OutcomeView(string ExecutionId, bool Success, double? Score, double? Value, DateTimeOffset OutcomeAt);
public sealed record OutcomeBatchResult(int Updated, IReadOnlyList<string> Unknown);

/// <summary>
/// Late feedback on executions (a trade's result, a user's rating): it overwrites the execution's
/// success, score and value, and a day already rolled up is recorded as one to roll up again.
/// </summary>
sealed class Outcomes(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<OutcomeView> RecordAsync(Guid projectId, string executionId, OutcomeInput input, CancellationToken ct)
    {
        Validate(input, "", requireId: false);
        var updated = await UpdateAsync(projectId, [input with { ExecutionId = executionId }], ct);
        return updated.Count == 1 ? updated[0] : throw ProblemException.NotFound($"There is no execution '{executionId}'.");
    }

    public async Task<OutcomeBatchResult> RecordAsync(Guid projectId, OutcomeBatch batch, CancellationToken ct)
    {
        var items = batch.Outcomes;
        if (items is null || items.Length == 0) throw ProblemException.Invalid("outcomes", "must have at least one outcome");
        if (items.Length > ExecutionIngest.MaxBatch) throw ProblemException.Invalid("outcomes", $"must have at most {ExecutionIngest.MaxBatch} outcomes per batch");
        var validation = new Validation();
        for (var i = 0; i < items.Length && validation.Count < 50; i++) Validate(items[i], $"outcomes[{i}].", requireId: true, validation);
        validation.ThrowIfInvalid();

        // The last outcome given for an id in one batch wins.
        var latest = items.GroupBy(o => o.ExecutionId!, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var updated = await UpdateAsync(projectId, latest, ct);
        var known = updated.Select(u => u.ExecutionId).ToHashSet(StringComparer.Ordinal);
        return new OutcomeBatchResult(updated.Count, latest.Select(o => o.ExecutionId!).Where(id => !known.Contains(id)).ToList());
    }

    static void Validate(OutcomeInput? input, string prefix, bool requireId, Validation? into = null)
    {
        var validation = into ?? new Validation();
        if (input is null)
        {
            validation.Add(prefix.TrimEnd('.'), "must be an outcome object");
        }
        else
        {
            validation
                .Check(!requireId || Execution.IsValidId(input.ExecutionId), $"{prefix}executionId", "is required: the execution's id")
                .Check(input.Success is not null || input.Score is not null || input.Value is not null, $"{prefix}success", "an outcome needs at least one of success, score or value")
                .Check(input.Score is null || double.IsFinite(input.Score.Value), $"{prefix}score", "must be a finite number")
                .Check(input.Value is null || double.IsFinite(input.Value.Value), $"{prefix}value", "must be a finite number");
        }
        if (into is null) validation.ThrowIfInvalid();
    }

    async Task<List<OutcomeView>> UpdateAsync(Guid projectId, IReadOnlyList<OutcomeInput> items, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            WITH given AS (
                SELECT * FROM unnest($2::text[], $3::boolean[], $4::double precision[], $5::double precision[]) AS g(id, success, score, value)
            ), updated AS (
                UPDATE analytics.executions e
                SET success = coalesce(g.success, e.success), score = coalesce(g.score, e.score),
                    value = coalesce(g.value, e.value), outcome_at = $6
                FROM given g
                WHERE e.project_id = $1 AND e.id = g.id
                RETURNING e.id, e.success, e.score, e.value, e.outcome_at, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
            ), to_roll_up AS (
                INSERT INTO analytics.dirty_days (day, marked_at)
                SELECT DISTINCT day, $6 FROM updated WHERE day < ($6 AT TIME ZONE 'UTC')::date
                ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at
            )
            SELECT id, success, score, value, outcome_at FROM updated
            """, connection);
        command.Parameters.AddWithValue(projectId);
        command.Parameters.AddWithValue(items.Select(i => i.ExecutionId!).ToArray());
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => i.Success).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean });
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => i.Score).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(i => i.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        command.Parameters.AddWithValue(time.GetUtcNow());
        var result = new List<OutcomeView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new OutcomeView(reader.GetString(0), reader.GetBoolean(1),
                reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return result;
    }
}

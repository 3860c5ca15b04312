using Npgsql;

namespace PromptHub.Modules.Analytics;

/// <summary>One query over an experiment's raw executions (partial index on project and experiment), grouped by variant.</summary>
sealed class ExperimentExecutions(NpgsqlDataSource dataSource) : IExperimentExecutions
{
    public async Task<ExperimentTotals> TotalsAsync(Guid projectId, Guid promptId, string experiment, DateTimeOffset? reportedUntil, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT variant, ($4::timestamptz IS NULL OR received_at <= $4) AS counted,
                   count(*), count(DISTINCT subject), count(*) FILTER (WHERE success),
                   count(score), avg(score), stddev_samp(score),
                   avg(latency_ms), stddev_samp(latency_ms),
                   avg(input_tokens::bigint + output_tokens)::float8, stddev_samp(input_tokens::bigint + output_tokens)::float8,
                   avg(cost_usd)::float8, stddev_samp(cost_usd)::float8
            FROM analytics.executions
            WHERE project_id = $1 AND experiment = $3 AND prompt_id = $2
            GROUP BY 1, 2
            """);
        command.Parameters.AddWithValue(projectId);
        command.Parameters.AddWithValue(promptId);
        command.Parameters.AddWithValue(experiment);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)reportedUntil ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var variants = new List<VariantTotals>();
        var later = 0L;
        while (await reader.ReadAsync(ct))
        {
            var executions = reader.GetInt64(2);
            if (!reader.GetBoolean(1))
            {
                later += executions;
                continue;
            }
            variants.Add(new VariantTotals(reader.IsDBNull(0) ? "" : reader.GetString(0), executions, reader.GetInt64(3), reader.GetInt64(4),
                new Moments(reader.GetInt64(5), Double(reader, 6), Double(reader, 7)),
                new Moments(executions, Double(reader, 8), Double(reader, 9)),
                new Moments(executions, Double(reader, 10), Double(reader, 11)),
                new Moments(executions, Double(reader, 12), Double(reader, 13))));
        }
        return new ExperimentTotals(variants, later);
    }

    static double? Double(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetDouble(column);
}

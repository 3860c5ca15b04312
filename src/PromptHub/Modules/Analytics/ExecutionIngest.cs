using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Prompts;
using PromptHub.Modules.Serving;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Analytics;

public sealed record ExecutionInput(
    string? Id, string? Prompt, int? Version, string? Label, string? Experiment, string? Variant, string? Subject,
    double? LatencyMs, int? InputTokens, int? OutputTokens, decimal? CostUsd, string? Model, bool? Success, double? Score,
    string? Error, DateTimeOffset? OccurredAt, string? RenderedPrompt, string? Response, JsonElement? Metadata);

public sealed record ExecutionBatch(ExecutionInput[]? Executions);

public sealed record IngestResult(int Accepted, int Duplicates);

/// <summary>
/// Takes a batch of executions whole or not at all: every item is checked first (unknown prompt or
/// version, negative numbers, future times, oversized text → 400 naming the item and field); then the
/// batch is written in one round trip — binary-encoded column arrays, unnested into one INSERT that
/// skips ids already stored — so retries and concurrent duplicates are counted, never stored twice.
/// </summary>
sealed class ExecutionIngest(NpgsqlDataSource dataSource, IPromptCatalog catalog, IRunningExperiments experiments, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    public const int MaxBatch = 1000;
    const int MaxErrorsListed = 50;
    const int MaxMetadataBytes = 16 * 1024;

    public async Task<IngestResult> IngestAsync(Guid projectId, ExecutionBatch batch, CancellationToken ct)
    {
        var items = batch.Executions;
        if (items is null || items.Length == 0) throw ProblemException.Invalid("executions", "must have at least one execution");
        if (items.Length > MaxBatch) throw ProblemException.Invalid("executions", $"must have at most {MaxBatch} executions per batch");

        var rows = await ValidateAsync(projectId, items);
        var now = time.GetUtcNow();

        var accepted = await WriteAsync(projectId, rows, now, ct);
        return new IngestResult(accepted, items.Length - accepted);
    }

    /// <summary>
    /// One round trip: the batch goes over as one binary-encoded array per column, unnested into an
    /// INSERT that skips ids already stored; then the past days it touched are recorded as days to roll up
    /// (again). Both run in the batch's implicit transaction. Raw ADO.NET on purpose: this is the measured
    /// path of bench/analytics.sh (≥ 50,000 executions/s in batches of 1000).
    /// </summary>
    async Task<int> WriteAsync(Guid projectId, List<(ExecutionInput Item, Guid PromptId)> rows, DateTimeOffset now, CancellationToken ct)
    {
        T[] Column<T>(Func<ExecutionInput, T> value) => rows.Select(r => value(r.Item)).ToArray();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var pastDays = rows.Select(r => DateOnly.FromDateTime(r.Item.OccurredAt!.Value.UtcDateTime)).Where(d => d < today).Distinct().ToArray();

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO analytics.executions (project_id, id, prompt_id, version, label, experiment, variant, subject,
                        latency_ms, input_tokens, output_tokens, cost_usd, model, success, score, error, occurred_at,
                        rendered_prompt, response, metadata, received_at)
                    SELECT $1, r.*, $21 FROM unnest($2::varchar[], $3::uuid[], $4::int[], $5::varchar[], $6::varchar[], $7::varchar[],
                        $8::varchar[], $9::float8[], $10::int[], $11::int[], $12::numeric[], $13::varchar[], $14::bool[], $15::float8[],
                        $16::text[], $17::timestamptz[], $18::text[], $19::text[], $20::jsonb[]) AS r
                    ON CONFLICT (project_id, id) DO NOTHING
                    """)
                {
                    Parameters =
                    {
                        new() { Value = projectId },
                        new() { Value = Column(i => i.Id!) },
                        new() { Value = rows.Select(r => r.PromptId).ToArray() },
                        new() { Value = Column(i => i.Version!.Value) },
                        new() { Value = Column(i => i.Label) },
                        new() { Value = Column(i => i.Experiment) },
                        new() { Value = Column(i => i.Variant) },
                        new() { Value = Column(i => i.Subject) },
                        new() { Value = Column(i => i.LatencyMs ?? 0) },
                        new() { Value = Column(i => i.InputTokens ?? 0) },
                        new() { Value = Column(i => i.OutputTokens ?? 0) },
                        new() { Value = Column(i => i.CostUsd ?? 0m) },
                        new() { Value = Column(i => i.Model) },
                        new() { Value = Column(i => i.Success ?? i.Error is null) },
                        new() { Value = Column(i => i.Score) },
                        new() { Value = Column(i => i.Error) },
                        new() { Value = Column(i => i.OccurredAt!.Value.ToUniversalTime()) },
                        new() { Value = Column(i => i.RenderedPrompt) },
                        new() { Value = Column(i => i.Response) },
                        new() { Value = Column(i => i.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                        new() { Value = now },
                    },
                },
                // Executions of past days make those days roll up (again): see DailyRollUp.
                new NpgsqlBatchCommand("""
                    INSERT INTO analytics.dirty_days (day, marked_at) SELECT unnest($1::date[]), $2
                    ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at
                    """)
                {
                    Parameters = { new() { Value = pastDays }, new() { Value = now } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
        return batch.BatchCommands[0].RecordsAffected;
    }

    async Task<List<(ExecutionInput Item, Guid PromptId)>> ValidateAsync(Guid projectId, ExecutionInput[] items)
    {
        var limits = options.Value;
        var latest = time.GetUtcNow().AddSeconds(limits.MaxClockSkewSeconds);
        // A batch names few prompts and labels: each is checked (and looked up) once.
        var prompts = new Dictionary<string, CatalogPrompt?>(StringComparer.Ordinal);
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        var validation = new Validation();
        var failed = 0;
        var rows = new List<(ExecutionInput, Guid)>(items.Length);

        for (var i = 0; i < items.Length && failed < MaxErrorsListed; i++)
        {
            var item = items[i];
            if (item is null)
            {
                validation.Add($"executions[{i}]", "must be an execution object");
                failed++;
                continue;
            }
            CatalogPrompt? prompt = null;
            if (item.Prompt is not null && !prompts.TryGetValue(item.Prompt, out prompt))
            {
                prompts[item.Prompt] = prompt = PromptRules.NameError(item.Prompt) is null ? await catalog.FindAsync(projectId, item.Prompt) : null;
            }
            var labelValid = item.Label is null || (labels.TryGetValue(item.Label, out var known)
                ? known
                : labels[item.Label] = PromptRules.LabelError(item.Label, forMove: false) is null);

            var before = validation.Count;
            foreach (var (field, message) in Problems(item, prompt, labelValid, latest, limits))
            {
                validation.Add($"executions[{i}].{field}", message);
            }
            // An execution of an experiment must be of the variant its subject is assigned to.
            if (validation.Count == before && (item.Experiment ?? item.Variant) is not null &&
                await experiments.CheckExecutionAsync(projectId, prompt!.Id, item.Prompt!, item.Version!.Value, item.Experiment, item.Variant, item.Subject) is { } problem)
            {
                validation.Add($"executions[{i}].{problem.Field}", problem.Message);
            }
            if (validation.Count > before) failed++;
            else rows.Add((item, prompt!.Id));
        }
        validation.ThrowIfInvalid();
        return rows;
    }

    /// <summary>What is wrong with one execution (field names are made only for what fails).</summary>
    static IEnumerable<(string Field, string Message)> Problems(ExecutionInput item, CatalogPrompt? prompt, bool labelValid,
        DateTimeOffset latest, AnalyticsOptions limits)
    {
        if (!Execution.IsValidId(item.Id)) yield return ("id", "is required: the execution's idempotency key, 1–128 letters, digits or ._:@-");
        if (item.Prompt is null) yield return ("prompt", "is required: a prompt name");
        else if (prompt is null) yield return ("prompt", $"there is no prompt named '{item.Prompt}'");
        if (item.Version is not > 0) yield return ("version", "is required: a positive whole number");
        else if (prompt is not null && item.Version > prompt.LatestVersion) yield return ("version", $"prompt '{item.Prompt}' has no version {item.Version}");
        if (!labelValid) yield return ("label", "is not a label name");
        if (item.Experiment is { Length: > 64 }) yield return ("experiment", "must be at most 64 characters");
        if (item.Variant is { Length: > 64 }) yield return ("variant", "must be at most 64 characters");
        if (item.Subject is { Length: > 256 }) yield return ("subject", "must be at most 256 characters");
        if (item.LatencyMs is < 0 or > 86_400_000) yield return ("latencyMs", "must be between 0 and 86400000");
        if (item.InputTokens is < 0) yield return ("inputTokens", "must not be negative");
        if (item.OutputTokens is < 0) yield return ("outputTokens", "must not be negative");
        if (item.CostUsd is < 0 or >= 1_000_000_000) yield return ("costUsd", "must not be negative");
        if (item.Model is { Length: > 128 }) yield return ("model", "must be at most 128 characters");
        if (item.Score is { } score && !double.IsFinite(score)) yield return ("score", "must be a finite number");
        if (item.Error is { Length: > 4000 }) yield return ("error", "must be at most 4000 characters");
        if (item.OccurredAt is not { } at) yield return ("occurredAt", "is required (ISO 8601)");
        else if (at > latest) yield return ("occurredAt", "is in the future");
        else if (at.Year < 2000) yield return ("occurredAt", "is before the year 2000");
        if (item.RenderedPrompt?.Length > limits.MaxAuditCharacters) yield return ("renderedPrompt", $"must be at most {limits.MaxAuditCharacters} characters");
        if (item.Response?.Length > limits.MaxAuditCharacters) yield return ("response", $"must be at most {limits.MaxAuditCharacters} characters");
        if (item.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }) yield return ("metadata", "must be a JSON object");
        else if (item.Metadata is { ValueKind: JsonValueKind.Object } metadata && metadata.GetRawText().Length > MaxMetadataBytes) yield return ("metadata", $"must be at most {MaxMetadataBytes} bytes");
    }
}

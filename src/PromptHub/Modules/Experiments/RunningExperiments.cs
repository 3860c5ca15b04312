using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Experiments;

/// <summary>
/// Each project's started experiments, in memory: loaded once per project (one query, shared by every
/// request that waits for it) and dropped when the change feed says the project's experiments changed,
/// on every instance. While the feed is down the snapshot is served as it is; when it is back, all are dropped.
/// </summary>
sealed class RunningExperiments : IRunningExperiments, IChangeSubscriber
{
    /// <summary>The change-feed topic of experiments; the key is `{projectId:N}`.</summary>
    public const string ChangeTopic = "experiment";
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly ConcurrentDictionary<Guid, Lazy<Task<Snapshot>>> _projects = new();
    readonly NpgsqlDataSource _dataSource;

    public RunningExperiments(NpgsqlDataSource dataSource, ChangeFeed feed)
    {
        _dataSource = dataSource;
        feed.Subscribe(this);
    }

    public async ValueTask<VariantChoice?> AssignAsync(Guid projectId, Guid promptId, string label, string subject)
    {
        var snapshot = await GetAsync(projectId);
        if (snapshot.Running.Count == 0 || !snapshot.Running.TryGetValue((promptId, label), out var live)) return null;
        return live.Choices[Assignment.VariantOf(Assignment.Bucket(live.Seed, subject), live.Weights)];
    }

    public async ValueTask<ExecutionProblem?> CheckExecutionAsync(Guid projectId, Guid promptId, string prompt, int version, string? experiment, string? variant, string? subject)
    {
        if (experiment is null && variant is null) return null;
        if (experiment is null) return new("experiment", "is required with a variant: the key the resolve answer named");
        if (variant is null) return new("variant", $"is required with experiment '{experiment}': the variant the resolve answer named");
        if (string.IsNullOrWhiteSpace(subject)) return new("subject", $"is required with experiment '{experiment}': the subject its variant was assigned to");

        var snapshot = await GetAsync(projectId);
        if (!snapshot.ByKey.TryGetValue(experiment, out var live) || live.PromptId != promptId)
        {
            return new("experiment", $"prompt '{prompt}' has no started experiment '{experiment}'");
        }
        var index = Array.IndexOf(live.Names, variant);
        if (index < 0) return new("variant", $"experiment '{experiment}' has no variant '{variant}' (it has {string.Join(", ", live.Names)})");
        if (live.Choices[index].Version != version)
        {
            return new("version", $"variant '{variant}' of experiment '{experiment}' serves version {live.Choices[index].Version}, not {version}");
        }
        var bucket = Assignment.Bucket(live.Seed, subject);
        if (!live.WeightSets.Any(weights => Assignment.VariantOf(bucket, weights) == index))
        {
            var assigned = live.Names[Assignment.VariantOf(bucket, live.Weights)];
            return new("variant", $"subject '{subject}' is assigned to variant '{assigned}' of experiment '{experiment}', not '{variant}'");
        }
        return null;
    }

    public Task<string?> RunningOnAsync(PromptHubDb db, Guid promptId, CancellationToken ct) =>
        db.Experiments.Where(e => e.PromptId == promptId && e.Status == ExperimentStatus.Running).Select(e => e.Key).FirstOrDefaultAsync(ct);

    ValueTask<Snapshot> GetAsync(Guid projectId)
    {
        var entry = _projects.GetOrAdd(projectId, id => new Lazy<Task<Snapshot>>(() => LoadAsync(id)));
        var load = entry.Value;
        return load.IsCompletedSuccessfully ? new(load.Result) : AwaitLoad(projectId, entry, load);
    }

    async ValueTask<Snapshot> AwaitLoad(Guid projectId, Lazy<Task<Snapshot>> entry, Task<Snapshot> load)
    {
        try
        {
            return await load;
        }
        catch
        {
            _projects.TryRemove(KeyValuePair.Create(projectId, entry)); // the next request tries again
            throw;
        }
    }

    async Task<Snapshot> LoadAsync(Guid projectId)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT key, prompt_id, label, seed, status, variants::text, kind, rollout_percents
            FROM experiments.experiments WHERE project_id = $1 AND status <> 'draft'
            """);
        command.Parameters.AddWithValue(projectId);
        await using var reader = await command.ExecuteReaderAsync();
        var snapshot = new Snapshot();
        while (await reader.ReadAsync())
        {
            var key = reader.GetString(0);
            var variants = JsonSerializer.Deserialize<ExperimentVariant[]>(reader.GetString(5), Json)!;
            int[] weights = [.. variants.Select(v => v.Weight)];
            var live = new LiveExperiment(
                reader.GetGuid(1), reader.GetString(3),
                [.. variants.Select(v => v.Name)],
                [.. variants.Select(v => new VariantChoice(new ExperimentAssignment(key, v.Name), v.Version))],
                weights,
                reader.GetString(6) == "rollout" ? [.. reader.GetFieldValue<int[]>(7).Select(p => new[] { 100 - p, p })] : [weights]);
            snapshot.ByKey[key] = live;
            if (reader.GetString(4) == "running") snapshot.Running[(live.PromptId, reader.GetString(2))] = live;
        }
        return snapshot;
    }

    public void Changed(string topic, string key)
    {
        if (topic == ChangeTopic && Guid.TryParseExact(key, "N", out var projectId)) _projects.TryRemove(projectId, out _);
    }

    public void Reset() => _projects.Clear();

    sealed class Snapshot
    {
        public Dictionary<(Guid PromptId, string Label), LiveExperiment> Running { get; } = [];
        /// <summary>Running and stopped ones, for checking reported executions.</summary>
        public Dictionary<string, LiveExperiment> ByKey { get; } = new(StringComparer.Ordinal);
    }

    /// <param name="WeightSets">Every set of weights it has used: an execution may come from any of them.</param>
    sealed record LiveExperiment(Guid PromptId, string Seed, string[] Names, VariantChoice[] Choices, int[] Weights, int[][] WeightSets);
}

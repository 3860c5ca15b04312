using PromptHub.Modules.Experiments;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Experiments;

/// <summary>Short calls for experiments and rollouts, so that tests read as what an admin and an LLM service do.</summary>
static class ExperimentApi
{
    public const string Experiments = "/api/v1/experiments";

    public static string Path(string prompt) => $"/api/v1/prompts/{Uri.EscapeDataString(prompt)}";

    /// <summary>A text prompt with versions 1..<paramref name="versions"/> and `production` on version 1.</summary>
    public static async Task PromptInProductionAsync(this HttpClient admin, string name, int versions)
    {
        await admin.CreatePromptAsync(name);
        for (var v = 1; v <= versions; v++) await admin.UploadAsync(name, new { template = $"{name} version {v}: answer {{{{question}}}}" });
        await admin.ActivateAsync(name, "production", 1);
    }

    public static object TwoVariants(string key, string prompt, int control = 1, int treatment = 2, int controlWeight = 50, string label = "production") => new
    {
        key,
        prompt,
        label,
        variants = new object[]
        {
            new { name = "control", version = control, weight = controlWeight },
            new { name = "concise", version = treatment, weight = 100 - controlWeight },
        },
    };

    public static async Task<JsonNode> CreateExperimentAsync(this HttpClient admin, object definition) =>
        await (await admin.PostAsJsonAsync(Experiments, definition)).ReadJsonAsync(HttpStatusCode.Created);

    public static async Task<JsonNode> StartAsync(this HttpClient admin, string key) =>
        await (await admin.PostAsync($"{Experiments}/{key}/start", null)).ReadJsonAsync(HttpStatusCode.OK);

    /// <summary>Created and started.</summary>
    public static async Task<JsonNode> RunAsync(this HttpClient admin, object definition)
    {
        var created = await admin.CreateExperimentAsync(definition);
        return await admin.StartAsync((string)created["key"]!);
    }

    public static Task<HttpResponseMessage> StopAsync(this HttpClient admin, string key, string? promote = null, string? reason = null) =>
        admin.PostAsJsonAsync($"{Experiments}/{key}/stop", new { promote, reason });

    public static async Task<JsonNode> ResultsAsync(this HttpClient client, string key) =>
        await (await client.GetAsync($"{Experiments}/{key}/results")).ReadJsonAsync(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> RolloutAsync(this HttpClient admin, string prompt, object body, string label = "production") =>
        admin.PostAsJsonAsync($"{Path(prompt)}/labels/{label}/rollout", body);

    public static Task<HttpResponseMessage> RaiseAsync(this HttpClient admin, string prompt, int percent, string? reason = null, string label = "production") =>
        admin.PatchAsJsonAsync($"{Path(prompt)}/labels/{label}/rollout", new { percent, reason });

    public static async Task<JsonNode> HistoryAsync(this HttpClient client, string prompt, string label = "production") =>
        await (await client.GetAsync($"{Path(prompt)}/labels/{label}/history?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK);

    /// <summary>Subjects (`{prefix}-0`, `{prefix}-1`…) whose bucket falls to variant <paramref name="variant"/> under these weights.</summary>
    public static List<string> SubjectsIn(string seed, int[] weights, int variant, int count, string prefix = "user") =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => $"{prefix}-{i}")
            .Where(s => Assignment.VariantOf(Assignment.Bucket(seed, s), weights) == variant).Take(count)];

    /// <summary>An execution of an experiment's variant, as an LLM service reports it.</summary>
    public static object Execution(string id, string prompt, int version, string? experiment, string? variant, string? subject,
        bool success = true, double? score = null, double latencyMs = 100, int inputTokens = 10, int outputTokens = 20, decimal costUsd = 0.001m) =>
        new
        {
            id, prompt, version, experiment, variant, subject, success, score, latencyMs, inputTokens, outputTokens, costUsd,
            occurredAt = DateTimeOffset.UtcNow.AddSeconds(-1), label = "production", model = "gpt-4o-mini",
        };

    public static Task<HttpResponseMessage> ReportAsync(this HttpClient client, IEnumerable<object> executions) =>
        client.PostAsJsonAsync("/api/v1/executions", new { executions = executions.ToArray() });
}

using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Jobs;

/// <summary>The ops API as a script would use it.</summary>
static class OpsApi
{
    public static async Task<JsonArray> RunsAsync(this HttpClient client, string query) =>
        (await client.GetJsonAsync($"/api/v1/ops/runs?pageSize=200&{query}"))["items"]!.AsArray();

    public static async Task<JsonNode> JobAsync(this HttpClient client, string id) =>
        (await client.GetJsonAsync("/api/v1/ops/jobs")).AsArray().Single(j => (string?)j!["id"] == id)!;

    /// <summary>Triggers a recurring job now; returns the Hangfire job id of the run.</summary>
    public static async Task<string> TriggerAsync(this HttpClient client, string id) =>
        (string)(await (await client.PostAsync($"/api/v1/ops/jobs/{id}/trigger", null)).ReadJsonAsync(HttpStatusCode.Accepted))["jobId"]!;

    /// <summary>Waits until the run <paramref name="jobId"/> is in <paramref name="state"/>; returns it.</summary>
    public static async Task<JsonNode> RunInStateAsync(this HttpClient client, string jobId, string state, TimeSpan? within = null)
    {
        JsonNode? run = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            run = (await client.RunsAsync("")).SingleOrDefault(r => (string?)r!["id"] == jobId);
            Assert.Equal(state, (string?)run?["state"]);
        }, within ?? TimeSpan.FromSeconds(30));
        return run!;
    }
}

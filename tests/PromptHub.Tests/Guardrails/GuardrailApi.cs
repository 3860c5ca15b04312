using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Guardrails;

/// <summary>Short calls for guardrails, so tests read as what an admin does.</summary>
static class GuardrailApi
{
    public static async Task<JsonNode> CreateGuardrailAsync(this HttpClient client, object definition) =>
        await (await client.PostAsJsonAsync("/api/v1/guardrails", definition)).ReadJsonAsync(HttpStatusCode.Created);

    public static async Task<JsonNode> CheckAsync(this HttpClient client, string text, params string[] types) =>
        await (await client.PostAsJsonAsync("/api/v1/guardrails/check", new { text, types })).ReadJsonAsync(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> RenderWithAsync(this HttpClient client, string prompt, object variables) =>
        client.PostAsJsonAsync($"/api/v1/prompts/{Uri.EscapeDataString(prompt)}/render", new { variables });

    /// <summary>A text prompt whose production version is <paramref name="template"/>.</summary>
    public static async Task CreateLivePromptAsync(this HttpClient client, string name, string template, string[]? tags = null)
    {
        await client.CreatePromptAsync(name, tags: tags);
        await client.UploadAsync(name, new { template, labels = new[] { "production" } });
    }

    public static IEnumerable<JsonNode> Findings(this JsonNode body, string member = "guardrails") => body[member]!.AsArray().Select(f => f!);
}

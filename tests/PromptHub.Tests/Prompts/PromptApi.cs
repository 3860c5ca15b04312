namespace PromptHub.Tests.Prompts;

/// <summary>Short calls for the registry's common steps, so tests read as what a user does.</summary>
static class PromptApi
{
    public static async Task CreatePromptAsync(this HttpClient client, string name, string type = "text", string[]? tags = null, string? description = null) =>
        await (await client.PostAsJsonAsync("/api/v1/prompts", new { name, type, tags, description })).ReadJsonAsync(HttpStatusCode.Created);

    public static async Task<JsonNode> UploadAsync(this HttpClient client, string name, object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        await (await client.PostAsJsonAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}/versions", body)).ReadJsonAsync(expected);

    public static async Task<JsonNode> ActivateAsync(this HttpClient client, string name, string label, int version, string? reason = null) =>
        await (await client.PutAsJsonAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}/labels/{label}", new { version, reason })).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK);

    /// <summary>A text prompt with one version per template, in order.</summary>
    public static async Task CreateTextPromptAsync(this HttpClient client, string name, params string[] templates)
    {
        await client.CreatePromptAsync(name);
        foreach (var template in templates) await client.UploadAsync(name, new { template });
    }
}

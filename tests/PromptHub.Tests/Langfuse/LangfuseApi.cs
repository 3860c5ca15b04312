using System.Net.Http.Headers;
using System.Text;

namespace PromptHub.Tests.Langfuse;

/// <summary>Calls as Langfuse's SDKs make them: Basic auth with a key's public id and secret, names encoded once.</summary>
static class LangfuseApi
{
    public const string Root = "/api/public/v2/prompts";

    /// <summary>A new key of the default project with that role, as a client that authenticates like Langfuse's SDKs.</summary>
    public static async Task<(HttpClient Client, string PublicId, string Secret, string Name)> LangfuseClientAsync(this AppFactory app, string role)
    {
        var name = $"langfuse-{role}-{Guid.NewGuid():N}"[..30];
        var created = await (await app.Admin().PostAsJsonAsync("/api/v1/keys", new { name, role })).ReadJsonAsync(HttpStatusCode.Created);
        var (publicId, secret) = ((string)created["publicId"]!, (string)created["secret"]!);
        return (app.Basic(publicId, secret), publicId, secret, name);
    }

    public static HttpClient Basic(this AppFactory app, string user, string password)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public static string PathOf(string name) => $"{Root}/{Uri.EscapeDataString(name)}";

    public static async Task<JsonNode> CreateAsync(this HttpClient client, object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        await (await client.PostAsJsonAsync(Root, body)).ReadJsonAsync(expected);

    public static async Task<JsonNode> GetPromptAsync(this HttpClient client, string name, string query = "") =>
        await (await client.GetAsync(PathOf(name) + query)).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonNode> UpdateLabelsAsync(this HttpClient client, string name, int version, params string[] newLabels) =>
        await (await client.PatchAsJsonAsync($"{PathOf(name)}/versions/{version}", new { newLabels })).ReadJsonAsync(HttpStatusCode.OK);

    /// <summary>Asserts Langfuse's error envelope `{message, error}` (and nothing of problem+json) with that status.</summary>
    public static async Task<string> ReadLangfuseErrorAsync(this HttpResponseMessage response, HttpStatusCode expected, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["error", "message"], body.Select(p => p.Key).Order());
        Assert.Equal(error, (string?)body["error"]);
        var message = (string?)body["message"];
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    public static List<string> Strings(this JsonNode? array) => [.. array!.AsArray().Select(n => (string)n!)];
}

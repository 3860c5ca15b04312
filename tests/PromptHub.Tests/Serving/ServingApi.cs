using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Serving;
using PromptHub.Platform.Database;

namespace PromptHub.Tests.Serving;

static class ServingApi
{
    public static async Task<JsonNode> ResolveAsync(this HttpClient client, string name, string query = "") =>
        await (await client.GetAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}/resolve{query}")).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<int> ResolvedVersionAsync(this HttpClient client, string name, string query = "") =>
        (int)(await client.ResolveAsync(name, query))["version"]!;

    public static Task<HttpResponseMessage> RenderAsync(this HttpClient client, string name, object body) =>
        client.PostAsJsonAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}/render", body);

    /// <summary>Waits until the instance listens to the change feed (it starts listening right after start-up).</summary>
    public static Task WaitForChangeFeedAsync(this AppFactory app) =>
        HttpAssertions.EventuallyAsync(() =>
        {
            Assert.True(app.Services.GetRequiredService<ChangeFeed>().IsLive, "the change feed is live");
            return Task.CompletedTask;
        });

    public static long DatabaseLoads(this AppFactory app) => app.Services.GetRequiredService<ServingStore>().Loads;
}

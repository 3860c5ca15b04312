namespace PromptHub.Tests.GitSync;

static class GitSyncApi
{
    public static async Task<JsonNode> ConnectAsync(this HttpClient client, object source, HttpStatusCode expected = HttpStatusCode.Created) =>
        await (await client.PutAsJsonAsync("/api/v1/git-source", source)).ReadJsonAsync(expected);

    public static async Task<JsonNode> SyncAsync(this HttpClient client) =>
        await (await client.PostAsync("/api/v1/git-source/sync", null)).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonNode> SourceAsync(this HttpClient client) =>
        await (await client.GetAsync("/api/v1/git-source")).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonNode> FetchLogAsync(this HttpClient client) =>
        await (await client.GetAsync("/api/v1/git-source/log")).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonNode> VersionsAsync(this HttpClient client, string name) =>
        await (await client.GetAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}/versions")).ReadJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonNode> PromptAsync(this HttpClient client, string name) =>
        await (await client.GetAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}")).ReadJsonAsync(HttpStatusCode.OK);

    /// <summary>The report of one file in a sync's answer.</summary>
    public static JsonNode File(this JsonNode report, string path) =>
        report["files"]!.AsArray().Single(f => (string)f!["path"]! == path)!;
}

/// <summary>An app whose git clones live in a temp folder of its own and whose recurring sync stays off unless a test turns it on.</summary>
public class GitSyncApp : AppFactory
{
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("prompthub-clones-").FullName;

    public GitSyncApp() { }

    GitSyncApp(AppFactory first) : base(first.ConnectionString, first.AdminSecret) { }

    public static GitSyncApp JoiningApp(AppFactory first) => new(first);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PromptHub:GitSync:DataFolder"] = DataFolder,
        ["PromptHub:Jobs:GitSyncCron"] = "-",
    };
}

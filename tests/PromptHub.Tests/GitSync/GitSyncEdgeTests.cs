using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.GitSync;

public sealed class GitSyncEdgeTests : IAsyncLifetime
{
    readonly GitSyncApp _app = new();
    readonly TestRepository _repository = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        _repository.Dispose();
    }

    static string Sign(string secret, byte[] body) => "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)).ToLowerInvariant();

    static HttpRequestMessage Push(string url, byte[] body, string? signature, string eventName = "push")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", eventName);
        if (signature is not null) request.Headers.Add("X-Hub-Signature-256", signature);
        return request;
    }

    [Fact]
    public async Task A_webhook_with_a_wrong_signature_is_401_and_nothing_happens_while_a_signed_push_syncs()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", "Hello {{ name }}\n").Commit("One");
        var source = await admin.ConnectAsync(new { url = _repository.FileUrl });
        var secret = (string)source["webhook"]!["secret"]!;
        var hook = (string)source["webhook"]!["url"]!;
        Assert.Null((await admin.SourceAsync())["webhook"]!["secret"]); // shown once
        var body = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main","after":"0000000"}""");
        var anonymous = _app.Anonymous();

        var wrong = await anonymous.SendAsync(Push(hook, body, Sign("not-the-secret-at-all", body)));
        await wrong.ReadProblemAsync(HttpStatusCode.Unauthorized);
        var unsigned = await anonymous.SendAsync(Push(hook, body, null));
        await unsigned.ReadProblemAsync(HttpStatusCode.Unauthorized);
        var tampered = await anonymous.SendAsync(Push(hook, Encoding.UTF8.GetBytes("""{"ref":"refs/heads/other"}"""), Sign(secret, body)));
        await tampered.ReadProblemAsync(HttpStatusCode.Unauthorized);
        var otherProject = await anonymous.SendAsync(Push($"/api/v1/git-source/webhook?project={Guid.NewGuid()}", body, Sign(secret, body)));
        await otherProject.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await Task.Delay(500);
        Assert.Equal(0, (int)(await admin.FetchLogAsync())["total"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/prompts/greeting")).StatusCode);

        var ping = await anonymous.SendAsync(Push(hook, body, Sign(secret, body), "ping"));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var elsewhere = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/feature"}""");
        var otherBranch = await (await anonymous.SendAsync(Push(hook, elsewhere, Sign(secret, elsewhere)))).ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)otherBranch["queued"]!);

        var accepted = await (await anonymous.SendAsync(Push(hook, body, Sign(secret, body)))).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.True((bool)accepted["queued"]!);
        // The fetch log entry is written when the sync ends, a moment after the file's own transaction imported it.
        await HttpAssertions.EventuallyAsync(async () =>
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/prompts/greeting")).StatusCode);
            var log = (await admin.FetchLogAsync())["items"]!.AsArray();
            Assert.Equal("webhook", (string)log.Single()!["trigger"]!);
        }, TimeSpan.FromSeconds(20));

        // GitLab sends the secret itself in X-Gitlab-Token.
        var gitlab = new HttpRequestMessage(HttpMethod.Post, hook) { Content = new ByteArrayContent(body) };
        gitlab.Headers.Add("X-Gitlab-Token", "wrong");
        await (await anonymous.SendAsync(gitlab)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        gitlab = new HttpRequestMessage(HttpMethod.Post, hook) { Content = new ByteArrayContent(body) };
        gitlab.Headers.Add("X-Gitlab-Token", secret);
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.SendAsync(gitlab)).StatusCode);
    }

    [Fact]
    public async Task Two_instances_syncing_at_once_import_each_version_once()
    {
        var admin = _app.Admin();
        for (var i = 0; i < 20; i++) _repository.Write($"p{i:00}.prompt", $"Prompt {i}: {{{{ name }}}}\n");
        _repository.Commit("Twenty prompts");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        await using var second = GitSyncApp.JoiningApp(_app);
        var other = second.Admin();

        var reports = await Task.WhenAll(
            Enumerable.Range(0, 3).Select(_ => admin.SyncAsync()).Concat(Enumerable.Range(0, 3).Select(_ => other.SyncAsync())));

        Assert.Equal(20, reports.Sum(r => (int)r["created"]!));
        for (var i = 0; i < 20; i++) Assert.Equal(1, (int)(await admin.VersionsAsync($"p{i:00}"))["total"]!);
        Assert.Equal(6, (int)(await admin.FetchLogAsync())["total"]!);
    }

    [Fact]
    public async Task Export_then_import_into_another_project_gives_identical_prompts()
    {
        var admin = _app.Admin();
        await admin.CreatePromptAsync("support/reply", tags: ["support", "email"], description: "Drafts a \"reply\": short, kind");
        await admin.UploadAsync("support/reply", new { template = "Dear {{ customer }},\n\n  {{ answer }}\n", config = new { model = "gpt-4o", temperature = 0.3, stop = new[] { "\n\n" }, nested = new { on = true, none = (string?)null } } });
        await admin.CreatePromptAsync("classify", type: "chat");
        await admin.UploadAsync("classify", new { messages = new[] { new { role = "system", content = "Sort: billing | bug\nBe terse." }, new { role = "user", content = "{{ ticket }}" } } });
        await admin.UploadAsync("classify", new { messages = new[] { new { role = "system", content = "Sort: billing | bug | other" }, new { role = "user", content = "{{ ticket }}" } } });
        await admin.ActivateAsync("classify", "production", 1);

        var tar = await admin.GetAsync("/api/v1/git-source/export?label=production");
        Assert.Equal("application/x-tar", tar.Content.Headers.ContentType?.MediaType);
        var atProduction = await ReadTarAsync(await tar.Content.ReadAsStreamAsync());
        Assert.Equal(["classify.prompt"], atProduction.Keys);
        Assert.Contains("Be terse.", atProduction["classify.prompt"]);

        var latest = await ReadTarAsync(await admin.GetStreamAsync("/api/v1/git-source/export"));
        Assert.Equal(["classify.prompt", "support/reply.prompt"], latest.Keys.Order());
        foreach (var (path, text) in latest) _repository.Write(path, text);
        _repository.Commit("Move into Git");
        var zip = await admin.GetAsync("/api/v1/git-source/export?format=zip");
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);

        var otherAdmin = _app.As(await _app.CreateProjectAsync("imported"));
        await otherAdmin.ConnectAsync(new { url = _repository.FileUrl });
        var report = await otherAdmin.SyncAsync();
        Assert.Equal(2, (int)report["created"]!);
        foreach (var name in new[] { "support/reply", "classify" })
        {
            var original = await admin.PromptAsync(name);
            var copy = await otherAdmin.PromptAsync(name);
            foreach (var field in new[] { "type", "description", "tags" }) Assert.Equal(original[field]?.ToJsonString(), copy[field]?.ToJsonString());
            foreach (var field in new[] { "template", "messages", "config", "variables", "contentHash" })
            {
                Assert.Equal(original["latest"]![field]?.ToJsonString(), copy["latest"]![field]?.ToJsonString());
            }
        }
    }

    [Fact]
    public async Task The_token_never_appears_in_a_response_or_a_log_line()
    {
        const string token = "ghp_TOKEN-never-shown-0123456789";
        var admin = _app.Admin();
        var responses = new List<string>
        {
            (await admin.ConnectAsync(new { url = "http://127.0.0.1:9/acme/prompts.git", username = "bot", token })).ToJsonString(),
            (await admin.SourceAsync()).ToJsonString(),
            await (await admin.PostAsync("/api/v1/git-source/sync", null)).Content.ReadAsStringAsync(),
            await (await admin.PostAsync("/api/v1/git-source/preview", null)).Content.ReadAsStringAsync(),
            (await admin.FetchLogAsync()).ToJsonString(),
            (await admin.ConnectAsync(new { url = "http://127.0.0.1:9/acme/prompts.git", branch = "dev" }, HttpStatusCode.OK)).ToJsonString(),
        };
        var source = await admin.SourceAsync();
        Assert.True((bool)source["tokenSet"]!);
        Assert.Contains("could not be fetched", responses[2]);

        Assert.All(responses, body => Assert.DoesNotContain(token, body));
        Assert.DoesNotContain(_app.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
        Assert.Equal(0, await _app.ScalarAsync<long>($"SELECT count(*) FROM gitsync.sources WHERE protected_token LIKE '%{token}%'"));

        // Moving to another host drops the token unless a new one is given; an empty token clears it.
        await admin.ConnectAsync(new { url = "http://localhost:9/acme/prompts.git" }, HttpStatusCode.OK);
        Assert.False((bool)(await admin.SourceAsync())["tokenSet"]!);
    }

    [Fact]
    public async Task A_private_repository_over_http_is_fetched_with_the_stored_username_and_token()
    {
        const string token = "glpat-private-token-4242";
        _repository.Write("greeting.prompt", "Hello {{ name }}\n").Commit("Private prompts");
        await using var server = new GitHttpServer(_repository.Root, "bot", token);
        await server.StartAsync();
        var admin = _app.Admin();
        var url = $"{server.BaseUrl}/prompts.git";

        await admin.ConnectAsync(new { url, username = "bot", token = "wrong-token" });
        var refused = await (await admin.PostAsync("/api/v1/git-source/sync", null)).ReadProblemAsync(HttpStatusCode.BadGateway);
        Assert.Contains("credentials", (string)refused["detail"]!);

        await admin.ConnectAsync(new { url, username = "bot", token }, HttpStatusCode.OK); // rotating is a PUT
        var report = await admin.SyncAsync();

        Assert.Equal(1, (int)report["created"]!);
        Assert.Contains(server.Authorizations, a => a.StartsWith("Basic ", StringComparison.Ordinal));
        var all = (await admin.SourceAsync()).ToJsonString() + (await admin.FetchLogAsync()).ToJsonString() + refused.ToJsonString();
        Assert.DoesNotContain(token, all);
        Assert.DoesNotContain(_app.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal));

        await admin.ConnectAsync(new { url, username = "bot", token = "" }, HttpStatusCode.OK); // clearing too
        Assert.False((bool)(await admin.SourceAsync())["tokenSet"]!);
        await (await admin.PostAsync("/api/v1/git-source/sync", null)).ReadProblemAsync(HttpStatusCode.BadGateway);
    }

    static async Task<Dictionary<string, string>> ReadTarAsync(Stream stream)
    {
        var files = new Dictionary<string, string>();
        await using var reader = new TarReader(stream);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var text = new StreamReader(entry.DataStream!);
            files[entry.Name] = await text.ReadToEndAsync();
        }
        return files;
    }
}

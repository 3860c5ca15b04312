using System.Text;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Access;

/// <summary>
/// One project never sees, changes or learns of another's data: a key of project A gets 404 (never
/// 403) for everything of project B, and nothing of B changes.
/// </summary>
public sealed class IsolationTests(IsolationTests.TwoProjects app) : IClassFixture<IsolationTests.TwoProjects>
{
    const string Secret = "/api/v1/prompts/b-team%2Fsecret-plan";   // B's prompt: v1, v2; production v1 → v2; staging → v1
    const string SecretPlain = "/api/v1/prompts/b-team/secret-plan";

    /// <summary>Every read and write of B's prompt, by an admin key of A (method, path, JSON body).</summary>
    public static readonly TheoryData<string, string, string?> OfB = new()
    {
        { "GET", Secret, null },
        { "GET", SecretPlain, null },
        { "GET", $"{Secret}/versions", null },
        { "GET", $"{SecretPlain}/versions", null },
        { "GET", $"{Secret}/versions/1", null },
        { "GET", $"{Secret}/versions/latest", null },
        { "GET", $"{SecretPlain}/versions/2", null },
        { "GET", $"{Secret}/versions/2/diff?against=1", null },
        { "GET", $"{SecretPlain}/versions/2/diff", null },
        { "GET", $"{Secret}/labels/production/history", null },
        { "GET", $"{SecretPlain}/labels/staging/history", null },
        { "POST", $"{Secret}/versions", """{"template":"Leaked {{x}}","labels":["production"]}""" },
        { "POST", $"{SecretPlain}/versions", """{"template":"Plan v2: {{goal}} by {{date}}"}""" },
        { "PUT", $"{Secret}/labels/production", """{"version":1,"reason":"from A"}""" },
        { "PUT", $"{SecretPlain}/labels/canary", """{"version":2}""" },
        { "POST", $"{Secret}/labels/production/rollback", """{"reason":"from A"}""" },
        { "POST", $"{SecretPlain}/labels/production/rollback", "{}" },
        { "DELETE", Secret, null },
        { "DELETE", SecretPlain, null },
    };

    [Theory]
    [MemberData(nameof(OfB))]
    public async Task A_key_of_project_A_gets_404_for_B_s_prompt_and_changes_nothing(string method, string path, string? json)
    {
        var before = await app.SnapshotAsync();
        foreach (var secret in new[] { app.AdminSecret, app.ReaderOfA })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var client = app.As(secret);
            using var response = await client.SendAsync(request);
            if (secret == app.ReaderOfA && method != "GET")
            {
                // A reader may not write anywhere: 403 for any prompt, so it tells nothing about B.
                await response.ReadProblemAsync(HttpStatusCode.Forbidden);
                continue;
            }
            var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
            Assert.DoesNotContain("b-team-project", problem.ToJsonString(), StringComparison.Ordinal);
        }
        Assert.Equal(before, await app.SnapshotAsync());

        // B itself still sees its prompt as it was.
        var own = await (await app.As(app.AdminOfB).GetAsync(Secret)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)own["latestVersion"]!);
        Assert.Equal(2, (int)own["labels"]!["production"]!);
        Assert.Equal(1, (int)own["labels"]!["staging"]!);
    }

    [Fact]
    public async Task A_s_lists_do_not_show_B_s_prompt()
    {
        var admin = app.Admin();
        var all = await (await admin.GetAsync("/api/v1/prompts?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(all["items"]!.AsArray(), p => ((string)p!["name"]!).StartsWith("b-team/", StringComparison.Ordinal));
        Assert.Contains(all["items"]!.AsArray(), p => (string?)p!["name"] == "a-team/plan");

        foreach (var query in new[] { "search=secret", "tag=b-only", "search=b-team" })
        {
            var found = await (await admin.GetAsync($"/api/v1/prompts?{query}")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, (int)found["total"]!);
            Assert.Empty(found["items"]!.AsArray());
        }

        var ofB = await (await app.As(app.AdminOfB).GetAsync("/api/v1/prompts?tag=b-only")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["b-team/secret-plan"], ofB["items"]!.AsArray().Select(p => (string)p!["name"]!));
        Assert.DoesNotContain(
            (await (await app.As(app.AdminOfB).GetAsync("/api/v1/prompts?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK))["items"]!.AsArray(),
            p => (string?)p!["name"] == "a-team/plan");
    }

    [Fact]
    public async Task A_key_of_A_cannot_revoke_or_list_B_s_keys()
    {
        var before = await app.SnapshotAsync();
        var response = await app.Admin().DeleteAsync($"/api/v1/keys/{app.AdminKeyIdOfB}");
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await app.SnapshotAsync());
        Assert.Null(await app.ScalarAsync<DateTime?>($"SELECT revoked_at FROM access.api_keys WHERE id = '{app.AdminKeyIdOfB}'"));

        // B's key still works, and A's key list shows none of B's keys (and the reverse).
        var current = await (await app.As(app.AdminOfB).GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("b-team-project", (string?)current["slug"]);
        var keysOfA = await (await app.Admin().GetAsync("/api/v1/keys?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(keysOfA["items"]!.AsArray(), k => (string?)k!["id"] == app.AdminKeyIdOfB);
        var keysOfB = await (await app.As(app.AdminOfB).GetAsync("/api/v1/keys?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK);
        var idsOfB = keysOfB["items"]!.AsArray().Select(k => (string)k!["id"]!).ToList();
        Assert.Contains(app.AdminKeyIdOfB, idsOfB);
        Assert.Empty(idsOfB.Intersect(keysOfA["items"]!.AsArray().Select(k => (string)k!["id"]!)));

        // Nor the other way round.
        var idOfA = (string)keysOfA["items"]!.AsArray().First(k => (string?)k!["role"] == "admin")!["id"]!;
        await (await app.As(app.AdminOfB).DeleteAsync($"/api/v1/keys/{idOfA}")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Projects_current_shows_each_key_its_own_project()
    {
        var ofA = await (await app.Admin().GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
        var ofB = await (await app.As(app.AdminOfB).GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("default", (string?)ofA["slug"]);
        Assert.Equal("b-team-project", (string?)ofB["slug"]);
        Assert.Equal("Project b-team-project", (string?)ofB["name"]);
        Assert.NotEqual((string?)ofA["id"], (string?)ofB["id"]);

        // A second key made by B's admin belongs to B too.
        var created = await (await app.As(app.AdminOfB).PostAsJsonAsync("/api/v1/keys", new { name = "b-second-admin", role = "admin" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var second = await (await app.As((string)created["secret"]!).GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal((string?)ofB["id"], (string?)second["id"]);
    }

    [Fact]
    public async Task The_same_name_lives_in_both_projects_independently()
    {
        const string path = "/api/v1/prompts/shared%2Fonboarding";
        var a = app.Admin();
        var b = app.As(app.AdminOfB);

        await (await a.PostAsJsonAsync("/api/v1/prompts", new { name = "shared/onboarding", type = "text", description = "A's" })).ReadJsonAsync(HttpStatusCode.Created);
        await (await b.PostAsJsonAsync("/api/v1/prompts", new { name = "shared/onboarding", type = "chat", description = "B's" })).ReadJsonAsync(HttpStatusCode.Created);
        // Still unique within one project.
        await (await b.PostAsJsonAsync("/api/v1/prompts", new { name = "shared/onboarding", type = "text" })).ReadProblemAsync(HttpStatusCode.Conflict);

        var va = await (await a.PostAsJsonAsync($"{path}/versions", new { template = "Welcome to A, {{name}}", labels = new[] { "production" } })).ReadJsonAsync(HttpStatusCode.Created);
        var vb = await (await b.PostAsJsonAsync($"{path}/versions", new { messages = new[] { new { role = "system", content = "Welcome to B" } } })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(1, (int)va["version"]!);
        Assert.Equal(1, (int)vb["version"]!);
        await (await b.PostAsJsonAsync($"{path}/versions", new { messages = new[] { new { role = "system", content = "Welcome to B, again" } } })).ReadJsonAsync(HttpStatusCode.Created);
        await (await b.PutAsJsonAsync($"{path}/labels/production", new { version = 2 })).ReadJsonAsync(HttpStatusCode.OK);

        var readA = await (await a.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK);
        var readB = await (await b.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(("text", "A's", 1, 1), ((string)readA["type"]!, (string)readA["description"]!, (int)readA["latestVersion"]!, (int)readA["labels"]!["production"]!));
        Assert.Equal(("chat", "B's", 2, 2), ((string)readB["type"]!, (string)readB["description"]!, (int)readB["latestVersion"]!, (int)readB["labels"]!["production"]!));
        Assert.Equal("Welcome to A, {{name}}", (string?)readA["latest"]!["template"]);
        Assert.Equal("Welcome to B, again", (string?)readB["latest"]!["messages"]![0]!["content"]);

        // A's version 2 does not exist even though B's does; A's label history holds only A's move.
        await (await a.GetAsync($"{path}/versions/2")).ReadProblemAsync(HttpStatusCode.NotFound);
        var historyA = await (await a.GetAsync($"{path}/labels/production/history")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)historyA["total"]!);

        // Archiving A's leaves B's untouched.
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync(path)).StatusCode);
        await (await a.GetAsync(path)).ReadProblemAsync(HttpStatusCode.NotFound);
        var stillB = await (await b.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)stillB["latestVersion"]!);
        Assert.Equal(2, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'shared/onboarding'"));
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'shared/onboarding' AND archived_at IS NULL"));
    }

    /// <summary>
    /// Project A is `default` (the factory's admin key) with prompt `a-team/plan` and a reader key;
    /// project B has prompt `b-team/secret-plan` (v1, v2; production moved v1 → v2, so a rollback would
    /// succeed; staging → v1) and its admin key.
    /// </summary>
    public sealed class TwoProjects : AppFactory
    {
        public string AdminOfB { get; private set; } = "";
        public string AdminKeyIdOfB { get; private set; } = "";
        public string ReaderOfA { get; private set; } = "";

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var project = await (await Admin().PostAsJsonAsync("/api/v1/projects", new { slug = "b-team-project", name = "Project b-team-project" }))
                .ReadJsonAsync(HttpStatusCode.Created);
            AdminOfB = (string)project["adminKey"]!["secret"]!;
            AdminKeyIdOfB = (string)project["adminKey"]!["id"]!;
            ReaderOfA = await CreateKeyAsync("reader");

            var a = Admin();
            await (await a.PostAsJsonAsync("/api/v1/prompts", new { name = "a-team/plan", type = "text" })).ReadJsonAsync(HttpStatusCode.Created);
            await (await a.PostAsJsonAsync("/api/v1/prompts/a-team%2Fplan/versions", new { template = "A's plan", labels = new[] { "production" } })).ReadJsonAsync(HttpStatusCode.Created);

            var b = As(AdminOfB);
            await (await b.PostAsJsonAsync("/api/v1/prompts", new { name = "b-team/secret-plan", type = "text", tags = new[] { "b-only" }, description = "secret" }))
                .ReadJsonAsync(HttpStatusCode.Created);
            await (await b.PostAsJsonAsync($"{Secret}/versions", new { template = "Plan: {{goal}}", labels = new[] { "production", "staging" } })).ReadJsonAsync(HttpStatusCode.Created);
            await (await b.PostAsJsonAsync($"{Secret}/versions", new { template = "Plan v2: {{goal}} by {{date}}" })).ReadJsonAsync(HttpStatusCode.Created);
            await (await b.PutAsJsonAsync($"{Secret}/labels/production", new { version = 2 })).ReadJsonAsync(HttpStatusCode.OK);
        }
    }
}

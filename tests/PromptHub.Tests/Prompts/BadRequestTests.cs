using System.Net.Http.Headers;
using System.Text;
using static System.Net.HttpStatusCode;

namespace PromptHub.Tests.Prompts;

/// <summary>
/// A table of bad requests. Each one must answer a 4xx RFC 7807 problem with the right status (naming
/// the bad field where the API names one) and must leave the database exactly as it was.
/// </summary>
public sealed class BadRequestTests(BadRequestTests.Seeded app) : IClassFixture<BadRequestTests.Seeded>
{
    const string Prompts = "/api/v1/prompts";
    const string Text = "/api/v1/prompts/seed%2Fgreeting";   // text prompt: v1, v2; production → v2 (one move)
    const string Chat = "/api/v1/prompts/seed%2Fchat";       // chat prompt: v1
    const string Keys = "/api/v1/keys";
    const string Projects = "/api/v1/projects";
    const string Unknown = "/api/v1/prompts/no-such-prompt";

    static readonly string Name129 = new('a', 129);
    static readonly string Label37 = new('a', 37);
    static readonly string ManyLabels = string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"l{i}\""));
    static readonly string ManyTags = string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"t{i}\""));
    static readonly string Long2001 = new('r', 2001);
    const string Sql = "x'; DROP TABLE prompts.prompts;--";
    const string SqlInUrl = "x'%3B%20DROP%20TABLE%20prompts.prompts%3B--";

    public static readonly IReadOnlyList<Case> Cases =
    [
        // ---- prompt names, in the body of a create
        new("create: empty name", "POST", Prompts, Json("""{"name":"","type":"text"}"""), BadRequest, "name"),
        new("create: missing name", "POST", Prompts, Json("""{"type":"text"}"""), BadRequest, "name"),
        new("create: 129-char name", "POST", Prompts, Json($$"""{"name":"{{Name129}}","type":"text"}"""), BadRequest, "name"),
        new("create: name with spaces", "POST", Prompts, Json("""{"name":"my prompt","type":"text"}"""), BadRequest, "name"),
        new("create: name with .. folder", "POST", Prompts, Json("""{"name":"a/../b","type":"text"}"""), BadRequest, "name"),
        new("create: name with . folder", "POST", Prompts, Json("""{"name":"a/./b","type":"text"}"""), BadRequest, "name"),
        new("create: name with leading slash", "POST", Prompts, Json("""{"name":"/a","type":"text"}"""), BadRequest, "name"),
        new("create: name with trailing slash", "POST", Prompts, Json("""{"name":"a/","type":"text"}"""), BadRequest, "name"),
        new("create: name with double slash", "POST", Prompts, Json("""{"name":"a//b","type":"text"}"""), BadRequest, "name"),
        new("create: name with <script>", "POST", Prompts, Json("""{"name":"<script>alert(1)</script>","type":"text"}"""), BadRequest, "name"),
        new("create: name with SQL", "POST", Prompts, Json($$"""{"name":"{{Sql}}","type":"text"}"""), BadRequest, "name"),
        new("create: name with non-ASCII letters", "POST", Prompts, Json("""{"name":"größe","type":"text"}"""), BadRequest, "name"),
        new("create: name with a percent sign", "POST", Prompts, Json("""{"name":"a%2Fb","type":"text"}"""), BadRequest, "name"),

        // ---- prompt names, in the path
        new("get: encoded .. folder", "GET", $"{Prompts}/a%2F..%2Fb", null, BadRequest, "name"),
        new("get: encoded leading slash", "GET", $"{Prompts}/%2Fa", null, BadRequest, "name"),
        new("get: encoded trailing slash", "GET", $"{Prompts}/a%2F", null, BadRequest, "name"),
        new("get: encoded double slash", "GET", $"{Prompts}/a%2F%2Fb", null, BadRequest, "name"),
        new("get: <script> in name", "GET", $"{Prompts}/%3Cscript%3Ealert(1)%3C%2Fscript%3E", null, BadRequest, "name"),
        new("get: SQL in name", "GET", $"{Prompts}/{SqlInUrl}", null, BadRequest, "name"),
        new("get: 129-char name", "GET", $"{Prompts}/{Name129}", null, BadRequest, "name"),
        new("get: name with space", "GET", $"{Prompts}/a%20b", null, BadRequest, "name"),
        new("archive: encoded .. folder", "DELETE", $"{Prompts}/seed%2F..%2Fgreeting", null, BadRequest, "name"),
        new("archive: SQL in name", "DELETE", $"{Prompts}/{SqlInUrl}", null, BadRequest, "name"),
        new("upload: encoded .. folder", "POST", $"{Prompts}/seed%2F..%2Fgreeting/versions", Json("""{"template":"x"}"""), BadRequest, "name"),
        new("upload: plain double slash", "POST", $"{Prompts}/seed//greeting/versions", Json("""{"template":"x"}"""), BadRequest, "name"),
        new("upload: plain name with space", "POST", $"{Prompts}/seed/gree%20ting/versions", Json("""{"template":"x"}"""), BadRequest, "name"),
        new("activate: SQL in name", "PUT", $"{Prompts}/{SqlInUrl}/labels/production", Json("""{"version":1}"""), BadRequest, "name"),
        new("versions: 129-char name", "GET", $"{Prompts}/{Name129}/versions", null, BadRequest, "name"),

        // ---- SQL in query strings
        new("list: SQL in pageSize", "GET", $"{Prompts}?pageSize=1;{SqlInUrl}", null, BadRequest, "pageSize"),
        new("list: SQL in page", "GET", $"{Prompts}?page={SqlInUrl}", null, BadRequest, "page"),
        new("diff: SQL in against", "GET", $"{Text}/versions/2/diff?against=1{SqlInUrl}", null, BadRequest, "against"),
        new("list: search over 200 chars", "GET", $"{Prompts}?search={new string('s', 201)}", null, BadRequest, "search"),

        // ---- unknown JSON fields
        new("create: unknown field", "POST", Prompts, Json("""{"name":"fresh","type":"text","owner":"me"}"""), BadRequest, "owner"),
        new("upload: unknown field", "POST", $"{Text}/versions", Json("""{"template":"x","temperature":0.5}"""), BadRequest, "temperature"),
        new("upload: version is not a field", "POST", $"{Text}/versions", Json("""{"template":"x","version":3}"""), BadRequest, "version"),
        new("activate: unknown field", "PUT", $"{Text}/labels/production", Json("""{"version":1,"force":true}"""), BadRequest, "force"),
        new("rollback: unknown field", "POST", $"{Text}/labels/production/rollback", Json("""{"to":1}"""), BadRequest, "to"),
        new("key: unknown field", "POST", Keys, Json("""{"name":"k","role":"reader","project":"other"}"""), BadRequest, "project"),
        new("project: unknown field", "POST", Projects, Json("""{"slug":"fresh","name":"Fresh","plan":"pro"}"""), BadRequest, "plan"),
        new("upload: unknown field in a message", "POST", $"{Chat}/versions", Json("""{"messages":[{"role":"user","content":"x","name":"bob"}]}"""), BadRequest, "messages[0].name"),

        // ---- wrong JSON types
        new("activate: version as string", "PUT", $"{Text}/labels/production", Json("""{"version":"3"}"""), BadRequest, "version"),
        new("activate: existing version as string", "PUT", $"{Text}/labels/canary", Json("""{"version":"1"}"""), BadRequest, "version"),
        new("activate: version as float", "PUT", $"{Text}/labels/production", Json("""{"version":1.5}"""), BadRequest, "version"),
        new("activate: version overflows", "PUT", $"{Text}/labels/production", Json("""{"version":99999999999}"""), BadRequest, "version"),
        new("activate: version abc", "PUT", $"{Text}/labels/production", Json("""{"version":"abc"}"""), BadRequest, "version"),
        new("create: tags as string", "POST", Prompts, Json("""{"name":"fresh","type":"text","tags":"x"}"""), BadRequest, "tags"),
        new("create: name as number", "POST", Prompts, Json("""{"name":5,"type":"text"}"""), BadRequest, "name"),
        new("upload: template as number", "POST", $"{Text}/versions", Json("""{"template":5}"""), BadRequest, "template"),
        new("upload: messages as string", "POST", $"{Chat}/versions", Json("""{"messages":"hello"}"""), BadRequest, "messages"),
        new("upload: labels as string", "POST", $"{Text}/versions", Json("""{"template":"x","labels":"production"}"""), BadRequest, "labels"),
        new("rollback: reason as number", "POST", $"{Text}/labels/production/rollback", Json("""{"reason":5}"""), BadRequest, "reason"),
        new("key: role as number", "POST", Keys, Json("""{"name":"k","role":1}"""), BadRequest, "role"),

        // ---- malformed JSON, empty bodies
        new("create: truncated JSON", "POST", Prompts, Json("""{"name":"""), BadRequest),
        new("create: JSON with a trailing comma", "POST", Prompts, Json("""{"name":"fresh","type":"text",}"""), BadRequest),
        new("upload: unquoted property", "POST", $"{Text}/versions", Json("""{template:"x"}"""), BadRequest),
        new("upload: not JSON at all", "POST", $"{Text}/versions", Json("template=x"), BadRequest),
        new("create: duplicate property", "POST", Prompts, Json("""{"name":"fresh","name":"other","type":"text"}"""), BadRequest, "name"),
        new("create: empty body", "POST", Prompts, Json(""), BadRequest, "body"),
        new("create: JSON null body", "POST", Prompts, Json("null"), BadRequest, "body"),
        new("upload: empty body", "POST", $"{Text}/versions", Json(""), BadRequest, "body"),
        new("activate: empty body", "PUT", $"{Text}/labels/production", Json(""), BadRequest, "body"),
        new("key: array body", "POST", Keys, Json("""[{"name":"k","role":"reader"}]"""), BadRequest),

        // ---- body size and media type
        new("upload: 1.1 MiB body with Content-Length", "POST", $"{Text}/versions", Huge("{\"template\":\"", chunked: false), RequestEntityTooLarge),
        new("upload: 1.1 MiB chunked body", "POST", $"{Text}/versions", Huge("{\"template\":\"", chunked: true), RequestEntityTooLarge),
        new("create: 1.1 MiB body with Content-Length", "POST", Prompts, Huge("{\"name\":\"huge\",\"type\":\"text\",\"description\":\"", chunked: false), RequestEntityTooLarge),
        new("create: 1.1 MiB chunked body", "POST", Prompts, Huge("{\"name\":\"huge\",\"type\":\"text\",\"description\":\"", chunked: true), RequestEntityTooLarge),
        new("create: text/plain", "POST", Prompts, Raw("""{"name":"fresh","type":"text"}""", "text/plain"), UnsupportedMediaType),
        new("upload: application/xml", "POST", $"{Text}/versions", Raw("<template>x</template>", "application/xml"), UnsupportedMediaType),
        new("activate: form post", "PUT", $"{Text}/labels/production", Raw("version=1", "application/x-www-form-urlencoded"), UnsupportedMediaType),

        // ---- templates that do not compile (422), labels listed alongside must not move
        new("upload: unclosed {{", "POST", $"{Text}/versions", Json("""{"template":"Hello {{name","labels":["production"]}"""), UnprocessableEntity, "template"),
        new("upload: {{ if }} never closed", "POST", $"{Text}/versions", Json("""{"template":"{{ if x }}yes","labels":["staging"]}"""), UnprocessableEntity, "template"),
        new("upload: one {{ end }} too many", "POST", $"{Text}/versions", Json("""{"template":"{{ if x }}a{{ end }}{{ end }}"}"""), UnprocessableEntity, "template"),
        new("upload: a pipe into nothing", "POST", $"{Text}/versions", Json("""{"template":"{{ name | }}"}"""), UnprocessableEntity, "template"),
        new("upload: an end with nothing open", "POST", $"{Text}/versions", Json("""{"template":"a{{ end }}"}"""), UnprocessableEntity, "template"),
        new("upload: a stray parenthesis", "POST", $"{Text}/versions", Json("""{"template":"a {{ ) }} b"}"""), UnprocessableEntity, "template"),
        new("upload: object.eval", "POST", $"{Text}/versions", Json("""{"template":"{{ object.eval 'x' }}"}"""), UnprocessableEntity, "template"),
        new("upload: unknown template format", "POST", $"{Text}/versions", Json("""{"template":"x","templateFormat":"handlebars"}"""), BadRequest, "templateFormat"),
        new("upload: chat message does not compile", "POST", $"{Chat}/versions", Json("""{"messages":[{"role":"user","content":"{{ for i in items }}"}]}"""), UnprocessableEntity, "messages[0].content"),

        // ---- content that does not fit the prompt
        new("upload: text prompt given messages", "POST", $"{Text}/versions", Json("""{"messages":[{"role":"user","content":"x"}]}"""), BadRequest, "messages"),
        new("upload: chat prompt given template", "POST", $"{Chat}/versions", Json("""{"template":"x"}"""), BadRequest, "template"),
        new("upload: chat with unknown role", "POST", $"{Chat}/versions", Json("""{"messages":[{"role":"wizard","content":"x"}]}"""), BadRequest, "messages[0].role"),
        new("upload: chat with no messages", "POST", $"{Chat}/versions", Json("""{"messages":[]}"""), BadRequest, "messages"),
        new("upload: chat message null", "POST", $"{Chat}/versions", Json("""{"messages":[null]}"""), BadRequest, "messages[0]"),
        new("upload: chat message without content", "POST", $"{Chat}/versions", Json("""{"messages":[{"role":"user"}]}"""), BadRequest, "messages[0].content"),
        new("upload: text without template", "POST", $"{Text}/versions", Json("""{"commitMessage":"nothing"}"""), BadRequest, "template"),
        new("upload: config is an array", "POST", $"{Text}/versions", Json("""{"template":"x","config":[1,2]}"""), BadRequest, "config"),
        new("upload: config is a string", "POST", $"{Text}/versions", Json("""{"template":"x","config":"gpt-4"}"""), BadRequest, "config"),
        new("upload: config over 64 KiB", "POST", $"{Text}/versions", Json($$$"""{"template":"x","config":{"blob":"{{{new string('c', 70_000)}}}"}}"""), BadRequest, "config"),
        new("upload: template over 200,000 chars", "POST", $"{Text}/versions", Json($$"""{"template":"{{new string('t', 200_001)}}"}"""), BadRequest, "template"),
        new("upload: commit message over 2000 chars", "POST", $"{Text}/versions", Json($$"""{"template":"x","commitMessage":"{{Long2001}}"}"""), BadRequest, "commitMessage"),
        new("upload: 21 labels", "POST", $"{Text}/versions", Json($$"""{"template":"x","labels":[{{ManyLabels}}]}"""), BadRequest, "labels"),
        new("upload: label Production", "POST", $"{Text}/versions", Json("""{"template":"x","labels":["Production"]}"""), BadRequest, "labels"),
        new("upload: label with space", "POST", $"{Text}/versions", Json("""{"template":"x","labels":["a b"]}"""), BadRequest, "labels"),
        new("upload: 37-char label", "POST", $"{Text}/versions", Json($$"""{"template":"x","labels":["{{Label37}}"]}"""), BadRequest, "labels"),
        new("upload: label latest", "POST", $"{Text}/versions", Json("""{"template":"x","labels":["latest"]}"""), BadRequest, "labels"),
        new("upload: unknown prompt", "POST", $"{Unknown}/versions", Json("""{"template":"x","labels":["production"]}"""), NotFound),
        new("create: type image", "POST", Prompts, Json("""{"name":"fresh","type":"image"}"""), BadRequest, "type"),
        new("create: missing type", "POST", Prompts, Json("""{"name":"fresh"}"""), BadRequest, "type"),
        new("create: 21 tags", "POST", Prompts, Json($$"""{"name":"fresh","type":"text","tags":[{{ManyTags}}]}"""), BadRequest, "tags"),
        new("create: tag with space", "POST", Prompts, Json("""{"name":"fresh","type":"text","tags":["a b"]}"""), BadRequest, "tags"),
        new("create: description over 2000 chars", "POST", Prompts, Json($$"""{"name":"fresh","type":"text","description":"{{Long2001}}"}"""), BadRequest, "description"),
        new("create: duplicate name", "POST", Prompts, Json("""{"name":"seed/greeting","type":"chat"}"""), Conflict),

        // ---- labels in the path, versions in paths and bodies
        new("activate: label Production", "PUT", $"{Text}/labels/Production", Json("""{"version":1}"""), BadRequest, "label"),
        new("activate: label with space", "PUT", $"{Text}/labels/a%20b", Json("""{"version":1}"""), BadRequest, "label"),
        new("activate: 37-char label", "PUT", $"{Text}/labels/{Label37}", Json("""{"version":1}"""), BadRequest, "label"),
        new("activate: label latest", "PUT", $"{Text}/labels/latest", Json("""{"version":1}"""), BadRequest, "label"),
        new("activate: version 0", "PUT", $"{Text}/labels/production", Json("""{"version":0}"""), BadRequest, "version"),
        new("activate: version -1", "PUT", $"{Text}/labels/production", Json("""{"version":-1}"""), BadRequest, "version"),
        new("activate: no version", "PUT", $"{Text}/labels/production", Json("""{"reason":"why not"}"""), BadRequest, "version"),
        new("activate: version 999999", "PUT", $"{Text}/labels/production", Json("""{"version":999999}"""), NotFound),
        new("activate: new label at version 999999", "PUT", $"{Text}/labels/canary", Json("""{"version":999999}"""), NotFound),
        new("activate: reason over 2000 chars", "PUT", $"{Text}/labels/production", Json($$"""{"version":1,"reason":"{{Long2001}}"}"""), BadRequest, "reason"),
        new("activate: unknown prompt", "PUT", $"{Unknown}/labels/production", Json("""{"version":1}"""), NotFound),
        new("version: 0", "GET", $"{Text}/versions/0", null, BadRequest, "version"),
        new("version: -1", "GET", $"{Text}/versions/-1", null, BadRequest, "version"),
        new("version: abc", "GET", $"{Text}/versions/abc", null, BadRequest, "version"),
        new("version: +1", "GET", $"{Text}/versions/%2B1", null, BadRequest, "version"),
        new("version: 999999", "GET", $"{Text}/versions/999999", null, NotFound),
        new("version: of an unknown prompt", "GET", $"{Unknown}/versions/1", null, NotFound),
        new("diff: version 0", "GET", $"{Text}/versions/0/diff", null, BadRequest, "version"),
        new("diff: version 999999", "GET", $"{Text}/versions/999999/diff", null, NotFound),
        new("diff: against=abc", "GET", $"{Text}/versions/2/diff?against=abc", null, BadRequest, "against"),
        new("diff: against=0", "GET", $"{Text}/versions/2/diff?against=0", null, BadRequest, "against"),
        new("diff: against=-1", "GET", $"{Text}/versions/2/diff?against=-1", null, BadRequest, "against"),
        new("diff: against=999999", "GET", $"{Text}/versions/2/diff?against=999999", null, NotFound),

        // ---- rollback and history
        new("rollback: unknown label", "POST", $"{Text}/labels/nope/rollback", Json("{}"), NotFound),
        new("rollback: no previous target", "POST", $"{Text}/labels/production/rollback", Json("""{"reason":"undo"}"""), Conflict),
        new("rollback: label latest", "POST", $"{Text}/labels/latest/rollback", Json("{}"), BadRequest, "label"),
        new("rollback: label Production", "POST", $"{Text}/labels/Production/rollback", Json("{}"), BadRequest, "label"),
        new("rollback: unknown prompt", "POST", $"{Unknown}/labels/production/rollback", Json("{}"), NotFound),
        new("history: unknown label", "GET", $"{Text}/labels/nope/history", null, NotFound),
        new("history: label with SQL", "GET", $"{Text}/labels/{SqlInUrl}/history", null, BadRequest, "label"),
        new("history: unknown prompt", "GET", $"{Unknown}/labels/production/history", null, NotFound),

        // ---- paging
        new("list: pageSize=201", "GET", $"{Prompts}?pageSize=201", null, BadRequest, "pageSize"),
        new("list: pageSize=0", "GET", $"{Prompts}?pageSize=0", null, BadRequest, "pageSize"),
        new("list: page=0", "GET", $"{Prompts}?page=0", null, BadRequest, "page"),
        new("list: page=-1", "GET", $"{Prompts}?page=-1", null, BadRequest, "page"),
        new("list: page=abc", "GET", $"{Prompts}?page=abc", null, BadRequest, "page"),
        new("versions: pageSize=201", "GET", $"{Text}/versions?pageSize=201", null, BadRequest, "pageSize"),
        new("history: page=0", "GET", $"{Text}/labels/production/history?page=0", null, BadRequest, "page"),
        new("keys: pageSize=1000", "GET", $"{Keys}?pageSize=1000", null, BadRequest, "pageSize"),

        // ---- keys and projects
        new("key: unknown role", "POST", Keys, Json("""{"name":"k","role":"superuser"}"""), BadRequest, "role"),
        new("key: role Admin (case)", "POST", Keys, Json("""{"name":"k","role":"Admin"}"""), BadRequest, "role"),
        new("key: missing role", "POST", Keys, Json("""{"name":"k"}"""), BadRequest, "role"),
        new("key: empty name", "POST", Keys, Json("""{"name":"","role":"reader"}"""), BadRequest, "name"),
        new("key: blank name", "POST", Keys, Json("""{"name":"   ","role":"reader"}"""), BadRequest, "name"),
        new("key: 101-char name", "POST", Keys, Json($$"""{"name":"{{new string('k', 101)}}","role":"reader"}"""), BadRequest, "name"),
        new("key: name with control char", "POST", Keys, Json("""{"name":"a\u0007b","role":"reader"}"""), BadRequest, "name"),
        new("revoke: non-GUID id", "DELETE", $"{Keys}/not-a-guid", null, BadRequest, "id"),
        new("revoke: unknown GUID", "DELETE", $"{Keys}/{Guid.Empty}", null, NotFound),
        new("revoke: the last admin key", "DELETE", $"{Keys}/{{admin-key-id}}", null, Conflict),
        new("project: slug with space", "POST", Projects, Json("""{"slug":"Bad Slug","name":"x"}"""), BadRequest, "slug"),
        new("project: slug with capitals", "POST", Projects, Json("""{"slug":"Team","name":"x"}"""), BadRequest, "slug"),
        new("project: slug starting with -", "POST", Projects, Json("""{"slug":"-team","name":"x"}"""), BadRequest, "slug"),
        new("project: 65-char slug", "POST", Projects, Json($$"""{"slug":"{{new string('s', 65)}}","name":"x"}"""), BadRequest, "slug"),
        new("project: slug with SQL", "POST", Projects, Json($$"""{"slug":"{{Sql}}","name":"x"}"""), BadRequest, "slug"),
        new("project: missing name", "POST", Projects, Json("""{"slug":"fresh"}"""), BadRequest, "name"),
        new("project: slug taken", "POST", Projects, Json("""{"slug":"default","name":"Again"}"""), Conflict),

        // ---- routes, keys and roles
        new("unknown route", "GET", "/api/v1/nothing-here", null, NotFound),
        new("unknown API version", "GET", "/api/v2/prompts", null, NotFound),
        new("unknown action on a prompt (a deeper name)", "GET", $"{Text}/publish", null, NotFound),
        new("POST to a prompt (a deeper name)", "POST", $"{Text}/publish", Json("{}"), MethodNotAllowed),
        new("method not allowed", "PATCH", Text, Json("{}"), MethodNotAllowed),
        new("no key: list", "GET", Prompts, null, Unauthorized, As: Key.None),
        new("no key: create", "POST", Prompts, Json("""{"name":"fresh","type":"text"}"""), Unauthorized, As: Key.None),
        new("no key: activate", "PUT", $"{Text}/labels/production", Json("""{"version":1}"""), Unauthorized, As: Key.None),
        new("unknown key: create", "POST", Prompts, Json("""{"name":"fresh","type":"text"}"""), Unauthorized, As: Key.Unknown),
        new("not a bearer: create", "POST", Prompts, Json("""{"name":"fresh","type":"text"}"""), Unauthorized, As: Key.Basic),
        new("reader: create prompt", "POST", Prompts, Json("""{"name":"fresh","type":"text"}"""), Forbidden, As: Key.Reader),
        new("reader: upload", "POST", $"{Text}/versions", Json("""{"template":"new"}"""), Forbidden, As: Key.Reader),
        new("reader: activate", "PUT", $"{Text}/labels/production", Json("""{"version":1}"""), Forbidden, As: Key.Reader),
        new("reader: rollback", "POST", $"{Text}/labels/production/rollback", Json("{}"), Forbidden, As: Key.Reader),
        new("reader: archive", "DELETE", Text, null, Forbidden, As: Key.Reader),
        new("reader: create key", "POST", Keys, Json("""{"name":"k","role":"admin"}"""), Forbidden, As: Key.Reader),
        new("reader: revoke a key", "DELETE", $"{Keys}/{{reader-key-id}}", null, Forbidden, As: Key.Reader),
        new("reader: create project", "POST", Projects, Json("""{"slug":"fresh","name":"Fresh"}"""), Forbidden, As: Key.Reader),
        new("ops: list prompts", "GET", Prompts, null, Forbidden, As: Key.Ops),
        new("ops: create prompt", "POST", Prompts, Json("""{"name":"fresh","type":"text"}"""), Forbidden, As: Key.Ops),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    [Fact]
    public void The_table_is_large_and_its_names_unique()
    {
        Assert.True(Cases.Count >= 45, $"only {Cases.Count} cases");
        Assert.Equal(Cases.Count, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_request_is_a_problem_and_changes_nothing(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        var before = await app.SnapshotAsync();

        using var request = new HttpRequestMessage(new HttpMethod(@case.Method), app.Resolve(@case.Path));
        if (@case.Body is not null) @case.Body.ApplyTo(request);
        using var client = app.Client(@case.As);
        using var response = await client.SendAsync(request);

        var problem = await response.ReadProblemAsync(@case.Status);
        if (@case.Field is not null)
        {
            var errors = problem["errors"] as JsonObject;
            Assert.True(errors?[@case.Field] is JsonArray { Count: > 0 },
                $"the problem names the field '{@case.Field}': {problem.ToJsonString()}");
        }
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task The_snapshot_sees_a_write()
    {
        var before = await app.SnapshotAsync();
        var created = await app.Admin().PostAsJsonAsync("/api/v1/prompts", new { name = $"probe/{Guid.NewGuid():N}", type = "text" });
        await created.ReadJsonAsync(Created);
        Assert.NotEqual(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task SQL_in_a_search_is_plain_text()
    {
        var before = await app.SnapshotAsync();
        var response = await app.Admin().GetAsync($"/api/v1/prompts?search={SqlInUrl}&tag={SqlInUrl}");
        var body = await response.ReadJsonAsync(OK);
        Assert.Equal(0, (int)body["total"]!);
        Assert.Equal(before, await app.SnapshotAsync());
        Assert.Equal(2L, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name LIKE 'seed/%'"));
    }

    // ------------------------------------------------------------------------------------------------

    public enum Key { Admin, Reader, Ops, None, Unknown, Basic }

    /// <summary>One bad request: what is sent, by whom, and the status (and field) it must be refused with.</summary>
    public sealed record Case(string Name, string Method, string Path, Body? Body, HttpStatusCode Status, string? Field = null, Key As = Key.Admin);

    /// <summary>A request body; <see cref="Description"/> keeps test output short.</summary>
    public sealed record Body(string Description, Action<HttpRequestMessage> ApplyTo)
    {
        public override string ToString() => Description;
    }

    static Body Json(string json) =>
        new(json.Length > 60 ? json[..60] + "…" : json, request => request.Content = new StringContent(json, Encoding.UTF8, "application/json"));

    static Body Raw(string text, string mediaType) =>
        new($"{mediaType}: {text}", request => request.Content = new StringContent(text, Encoding.UTF8, mediaType));

    /// <summary>
    /// A JSON body of 1.1 MiB: <paramref name="head"/> opens a string of a field the endpoint knows (so that
    /// the body is read to its end), then 1.1 MiB of text; its length announced or sent chunked (no length).
    /// </summary>
    static Body Huge(string head, bool chunked) => new($"{head}… 1.1 MiB, chunked: {chunked}", request =>
    {
        var bytes = Encoding.UTF8.GetBytes(head + new string('x', 1100 * 1024) + "\"}");
        if (chunked)
        {
            request.Content = new UnknownLengthContent(bytes);
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content = new ByteArrayContent(bytes);
        }
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    });

    /// <summary>Like StreamContent over a non-seekable stream: no Content-Length, so the body is sent chunked.</summary>
    sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(64 * 1024, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>The app with a known state: a text prompt with two versions and a production label, a chat prompt, a reader and an ops key.</summary>
    public sealed class Seeded : AppFactory
    {
        public string ReaderSecret { get; private set; } = "";
        public string OpsSecret { get; private set; } = "";
        readonly Dictionary<string, string> _placeholders = [];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var admin = Admin();
            await Ok(admin.PostAsJsonAsync("/api/v1/prompts", new { name = "seed/greeting", type = "text", tags = new[] { "seed" } }), Created);
            await Ok(admin.PostAsJsonAsync("/api/v1/prompts/seed%2Fgreeting/versions", new { template = "Hello {{name}}", commitMessage = "first" }), Created);
            await Ok(admin.PostAsJsonAsync("/api/v1/prompts/seed%2Fgreeting/versions",
                new { template = "Hi {{name}}!", config = new { temperature = 0.2 }, commitMessage = "friendlier" }), Created);
            await Ok(admin.PutAsJsonAsync("/api/v1/prompts/seed%2Fgreeting/labels/production", new { version = 2, reason = "go live" }), OK);
            await Ok(admin.PostAsJsonAsync("/api/v1/prompts", new { name = "seed/chat", type = "chat" }), Created);
            await Ok(admin.PostAsJsonAsync("/api/v1/prompts/seed%2Fchat/versions",
                new { messages = new[] { new { role = "system", content = "You are {{persona}}." }, new { role = "user", content = "{{question}}" } } }), Created);

            ReaderSecret = await CreateKeyAsync("reader");
            OpsSecret = await CreateKeyAsync("ops");
            var keys = (await Ok(admin.GetAsync("/api/v1/keys"), OK))["items"]!.AsArray();
            _placeholders["{admin-key-id}"] = (string)keys.Single(k => (string?)k!["role"] == "admin")!["id"]!;
            _placeholders["{reader-key-id}"] = (string)keys.Single(k => (string?)k!["role"] == "reader")!["id"]!;
        }

        static async Task<JsonNode> Ok(Task<HttpResponseMessage> call, HttpStatusCode status) => await (await call).ReadJsonAsync(status);

        public string Resolve(string path) => _placeholders.Aggregate(path, (p, kv) => p.Replace(kv.Key, kv.Value, StringComparison.Ordinal));

        public HttpClient Client(Key key) => key switch
        {
            Key.Admin => Admin(),
            Key.Reader => As(ReaderSecret),
            Key.Ops => As(OpsSecret),
            Key.None => Anonymous(),
            Key.Unknown => As("no-such-key-" + Guid.NewGuid().ToString("N")),
            Key.Basic => WithHeader(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminSecret)))),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };

        HttpClient WithHeader(AuthenticationHeaderValue header)
        {
            var client = Anonymous();
            client.DefaultRequestHeaders.Authorization = header;
            return client;
        }
    }
}

/// <summary>
/// Every row of the registry and access tables as one text (a count and an md5 per table), to compare
/// before and after a request. `api_keys.last_used_at` is left out: it is written in the background.
/// </summary>
public static class DatabaseSnapshot
{
    static readonly (string Table, string Columns)[] Tables =
    [
        ("access.projects", "*"),
        ("access.api_keys", "id, project_id, name, role, secret_hash, created_at, revoked_at"),
        ("prompts.prompts", "*"),
        ("prompts.prompt_versions", "*"),
        ("prompts.labels", "*"),
        ("prompts.label_moves", "*"),
        ("analytics.executions", "*"),
        ("analytics.daily_stats", "*"),
        ("analytics.dirty_days", "*"),
        ("analytics.backfills", "*"),
        ("notifications.outbox", "*"),
        ("experiments.experiments", "*"),
        ("guardrails.guardrails", "*"),
        ("guardrails.finding_counts", "*"),
    ];

    static readonly string Sql = "SELECT concat_ws(E'\\n', " + string.Join(", ", Tables.Select(t =>
        $"(SELECT '{t.Table} ' || count(*) || ' ' || coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '-') " +
        $"FROM (SELECT {t.Columns} FROM {t.Table}) r)")) + ")";

    public static async Task<string> SnapshotAsync(this AppFactory app) => (await app.ScalarAsync<string>(Sql))!;

    /// <summary>Sends <paramref name="request"/> with the admin key: a problem of that status (naming <paramref name="field"/>), and nothing changed.</summary>
    public static async Task AssertRefusedAndUnchangedAsync(this AppFactory app, HttpRequestMessage request, HttpStatusCode status, string? field)
    {
        var before = await app.SnapshotAsync();
        var problem = await (await app.Admin().SendAsync(request)).ReadProblemAsync(status);
        if (field is not null) Assert.True(problem["errors"]?[field] is JsonArray { Count: > 0 }, $"errors.{field} in {problem}");
        Assert.Equal(before, await app.SnapshotAsync());
    }
}

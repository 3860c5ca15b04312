using System.Text;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Guardrails;

/// <summary>Bad guardrail definitions and checks: each answers a 4xx problem naming the field and writes nothing.</summary>
public sealed class BadDefinitionTests(AppFactory app) : IClassFixture<AppFactory>
{
    public sealed record Case(string Name, string Method, string Path, string Json, HttpStatusCode Status, string? Field);

    const string Create = "/api/v1/guardrails";
    const string Taken = "/api/v1/guardrails/{taken}"; // the seeded guardrail, by id
    const string Check = "/api/v1/guardrails/check";

    static string Pii(string config) => $$"""{"name":"x","type":"pii","config":{{config}}}""";
    static string Injection(string config) => $$"""{"name":"x","type":"prompt_injection","config":{{config}}}""";
    static string Blocklist(string config) => $$"""{"name":"x","type":"blocklist","config":{{config}}}""";
    static string MaxLength(string config) => $$"""{"name":"x","type":"max_length","config":{{config}}}""";
    static readonly string ManyTerms = "[" + string.Join(",", Enumerable.Range(0, 1001).Select(i => $"\"t{i}\"")) + "]";
    static readonly string ManyPrompts = "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"p{i}\"")) + "]";

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("no name", "POST", Create, """{"type":"pii"}""", HttpStatusCode.BadRequest, "name"),
        new("empty name", "POST", Create, """{"name":"","type":"pii"}""", HttpStatusCode.BadRequest, "name"),
        new("101-char name", "POST", Create, $$"""{"name":"{{new string('n', 101)}}","type":"pii"}""", HttpStatusCode.BadRequest, "name"),
        new("name with a slash", "POST", Create, """{"name":"a/b","type":"pii"}""", HttpStatusCode.BadRequest, "name"),
        new("no type", "POST", Create, """{"name":"x"}""", HttpStatusCode.BadRequest, "type"),
        new("unknown type", "POST", Create, """{"name":"x","type":"toxicity"}""", HttpStatusCode.BadRequest, "type"),
        new("type in another spelling", "POST", Create, """{"name":"x","type":"PromptInjection"}""", HttpStatusCode.BadRequest, "type"),
        new("unknown action", "POST", Create, """{"name":"x","type":"pii","action":"delete"}""", HttpStatusCode.BadRequest, "action"),
        new("active as text", "POST", Create, """{"name":"x","type":"pii","active":"yes"}""", HttpStatusCode.BadRequest, "active"),
        new("unknown field", "POST", Create, """{"name":"x","type":"pii","severity":"high"}""", HttpStatusCode.BadRequest, "severity"),
        new("config not an object", "POST", Create, Pii("[1]"), HttpStatusCode.BadRequest, "config"),
        new("pii: unknown entity", "POST", Create, Pii("""{"entities":["PASSPORT"]}"""), HttpStatusCode.BadRequest, "config.entities"),
        new("pii: no entities", "POST", Create, Pii("""{"entities":[]}"""), HttpStatusCode.BadRequest, "config.entities"),
        new("pii: entities not strings", "POST", Create, Pii("""{"entities":[1]}"""), HttpStatusCode.BadRequest, "config.entities"),
        new("pii: a setting of another type", "POST", Create, Pii("""{"maxLength":10}"""), HttpStatusCode.BadRequest, "config.maxLength"),
        new("injection: threshold 0", "POST", Create, Injection("""{"threshold":0}"""), HttpStatusCode.BadRequest, "config.threshold"),
        new("injection: threshold 1.5", "POST", Create, Injection("""{"threshold":1.5}"""), HttpStatusCode.BadRequest, "config.threshold"),
        new("injection: threshold as text", "POST", Create, Injection("""{"threshold":"high"}"""), HttpStatusCode.BadRequest, "config.threshold"),
        new("blocklist: no config", "POST", Create, """{"name":"x","type":"blocklist"}""", HttpStatusCode.BadRequest, "config.terms"),
        new("blocklist: no terms", "POST", Create, Blocklist("""{"terms":[]}"""), HttpStatusCode.BadRequest, "config.terms"),
        new("blocklist: a blank term", "POST", Create, Blocklist("""{"terms":["ok","  "]}"""), HttpStatusCode.BadRequest, "config.terms"),
        new("blocklist: an invisible term", "POST", Create, Blocklist("""{"terms":["\u200B\u200D"]}"""), HttpStatusCode.BadRequest, "config.terms"),
        new("blocklist: a 201-char term", "POST", Create, Blocklist($$"""{"terms":["{{new string('t', 201)}}"]}"""), HttpStatusCode.BadRequest, "config.terms"),
        new("blocklist: 1001 terms", "POST", Create, Blocklist($$"""{"terms":{{ManyTerms}}}"""), HttpStatusCode.BadRequest, "config.terms"),
        new("blocklist: unknown match", "POST", Create, Blocklist("""{"terms":["x"],"match":"regex"}"""), HttpStatusCode.BadRequest, "config.match"),
        new("max_length: missing", "POST", Create, """{"name":"x","type":"max_length"}""", HttpStatusCode.BadRequest, "config.maxLength"),
        new("max_length: 0", "POST", Create, MaxLength("""{"maxLength":0}"""), HttpStatusCode.BadRequest, "config.maxLength"),
        new("max_length: fractional", "POST", Create, MaxLength("""{"maxLength":1.5}"""), HttpStatusCode.BadRequest, "config.maxLength"),
        new("max_length: over a million", "POST", Create, MaxLength("""{"maxLength":1000001}"""), HttpStatusCode.BadRequest, "config.maxLength"),
        new("scope: a bad prompt name", "POST", Create, """{"name":"x","type":"pii","scope":{"prompts":["a//b"]}}""", HttpStatusCode.BadRequest, "scope.prompts"),
        new("scope: a bad tag", "POST", Create, """{"name":"x","type":"pii","scope":{"tags":["bad tag"]}}""", HttpStatusCode.BadRequest, "scope.tags"),
        new("scope: 101 prompts", "POST", Create, $$$"""{"name":"x","type":"pii","scope":{"prompts":{{{ManyPrompts}}}}}""", HttpStatusCode.BadRequest, "scope.prompts"),
        new("scope: unknown field", "POST", Create, """{"name":"x","type":"pii","scope":{"labels":["production"]}}""", HttpStatusCode.BadRequest, "scope.labels"),
        new("a name that exists", "POST", Create, """{"name":"taken","type":"pii"}""", HttpStatusCode.Conflict, null),
        new("replace: bad config", "PUT", Taken, MaxLength("""{"maxLength":-1}"""), HttpStatusCode.BadRequest, "config.maxLength"),
        new("replace: another's name", "PUT", Taken, """{"name":"also-taken","type":"pii"}""", HttpStatusCode.Conflict, null),
        new("replace: not an id", "PUT", "/api/v1/guardrails/abc", """{"name":"x","type":"pii"}""", HttpStatusCode.BadRequest, "id"),
        new("replace: unknown id", "PUT", $"/api/v1/guardrails/{Guid.Empty}", """{"name":"x","type":"pii"}""", HttpStatusCode.NotFound, null),
        new("delete: not an id", "DELETE", "/api/v1/guardrails/abc", "", HttpStatusCode.BadRequest, "id"),
        new("delete: unknown id", "DELETE", $"/api/v1/guardrails/{Guid.Empty}", "", HttpStatusCode.NotFound, null),
        new("check: no text", "POST", Check, """{"types":["pii"]}""", HttpStatusCode.BadRequest, "text"),
        new("check: unknown type", "POST", Check, """{"text":"x","types":["toxicity"]}""", HttpStatusCode.BadRequest, "types"),
        new("list: unknown type", "GET", $"{Create}?type=toxicity", "", HttpStatusCode.BadRequest, "type"),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_definition_answers_a_problem_naming_the_field_and_writes_nothing(string name)
    {
        var taken = await SeedAsync();
        var @case = Cases.Single(c => c.Name == name);
        var request = new HttpRequestMessage(new HttpMethod(@case.Method), @case.Path.Replace("{taken}", taken, StringComparison.Ordinal));
        if (@case.Method is not ("GET" or "DELETE")) request.Content = new StringContent(@case.Json, Encoding.UTF8, "application/json");
        await app.AssertRefusedAndUnchangedAsync(request, @case.Status, @case.Field);
    }

    [Fact]
    public async Task A_reader_key_may_not_manage_or_try_guardrails()
    {
        var reader = app.As(await app.CreateKeyAsync("reader"));
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(Create)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync(Create, new { name = "r", type = "pii" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync(Check, new { text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync($"{Create}/counts")).StatusCode);
    }

    async Task<string> SeedAsync()
    {
        var existing = await app.ScalarAsync<Guid?>("SELECT id FROM guardrails.guardrails WHERE name = 'taken'");
        if (existing is { } id) return id.ToString();
        await app.Admin().CreateGuardrailAsync(new { name = "also-taken", type = "pii" });
        return (string)(await app.Admin().CreateGuardrailAsync(new { name = "taken", type = "max_length", config = new { maxLength = 10 } }))["id"]!;
    }
}

using System.Text;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Experiments;

/// <summary>
/// Bad experiment definitions and rollout steps: each answers a 4xx problem naming the field and writes
/// nothing (the snapshot covers every module's tables, experiments and label history included).
/// </summary>
public sealed class BadDefinitionTests(AppFactory app) : IClassFixture<AppFactory>
{
    public sealed record Case(string Name, string Method, string Path, string Json, HttpStatusCode Status, string? Field);

    const string Create = ExperimentApi.Experiments;
    const string Rollout = "/api/v1/prompts/def%2Fp/labels/production/rollout";

    static string Definition(string variants, string extra = "") =>
        $$"""{"key":"def-x","prompt":"def/p"{{extra}},"variants":{{variants}}}""";

    static readonly string Good = """[{"name":"control","version":1,"weight":50},{"name":"b","version":2,"weight":50}]""";

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("no variants", "POST", Create, """{"key":"def-x","prompt":"def/p"}""", HttpStatusCode.BadRequest, "variants"),
        new("empty variants", "POST", Create, Definition("[]"), HttpStatusCode.BadRequest, "variants"),
        new("a single variant", "POST", Create, Definition("""[{"name":"control","version":1,"weight":100}]"""), HttpStatusCode.BadRequest, "variants"),
        new("weights summing to 90", "POST", Create, Definition("""[{"name":"a","version":1,"weight":50},{"name":"b","version":2,"weight":40}]"""), HttpStatusCode.BadRequest, "variants"),
        new("weights summing to 110", "POST", Create, Definition("""[{"name":"a","version":1,"weight":60},{"name":"b","version":2,"weight":50}]"""), HttpStatusCode.BadRequest, "variants"),
        new("a fractional weight", "POST", Create, Definition("""[{"name":"a","version":1,"weight":50.5},{"name":"b","version":2,"weight":49.5}]"""), HttpStatusCode.BadRequest, "variants[0].weight"),
        new("a negative weight", "POST", Create, Definition("""[{"name":"a","version":1,"weight":-10},{"name":"b","version":2,"weight":110}]"""), HttpStatusCode.BadRequest, "variants[0].weight"),
        new("a weight as text", "POST", Create, Definition("""[{"name":"a","version":1,"weight":"50"},{"name":"b","version":2,"weight":50}]"""), HttpStatusCode.BadRequest, "variants[0].weight"),
        new("a missing weight", "POST", Create, Definition("""[{"name":"a","version":1,"weight":100},{"name":"b","version":2}]"""), HttpStatusCode.BadRequest, "variants[1].weight"),
        new("an unknown version", "POST", Create, Definition("""[{"name":"a","version":1,"weight":50},{"name":"b","version":9,"weight":50}]"""), HttpStatusCode.BadRequest, "variants[1].version"),
        new("a version of another prompt", "POST", Create, Definition("""[{"name":"a","version":1,"weight":50},{"name":"b","version":5,"weight":50}]"""), HttpStatusCode.BadRequest, "variants[1].version"),
        new("version 0", "POST", Create, Definition("""[{"name":"a","version":0,"weight":50},{"name":"b","version":2,"weight":50}]"""), HttpStatusCode.BadRequest, "variants[0].version"),
        new("duplicate variant names", "POST", Create, Definition("""[{"name":"a","version":1,"weight":50},{"name":"a","version":2,"weight":50}]"""), HttpStatusCode.BadRequest, "variants[1].name"),
        new("a variant name with a space", "POST", Create, Definition("""[{"name":"con trol","version":1,"weight":50},{"name":"b","version":2,"weight":50}]"""), HttpStatusCode.BadRequest, "variants[0].name"),
        new("a null variant", "POST", Create, Definition("""[{"name":"a","version":1,"weight":100},null]"""), HttpStatusCode.BadRequest, "variants[1]"),
        new("no key", "POST", Create, $$"""{"prompt":"def/p","variants":{{Good}}}""", HttpStatusCode.BadRequest, "key"),
        new("a key with a slash", "POST", Create, $$"""{"key":"a/b","prompt":"def/p","variants":{{Good}}}""", HttpStatusCode.BadRequest, "key"),
        new("an unknown prompt", "POST", Create, $$"""{"key":"def-x","prompt":"def/none","variants":{{Good}}}""", HttpStatusCode.BadRequest, "prompt"),
        new("a label the prompt lacks", "POST", Create, Definition(Good, ""","label":"staging" """), HttpStatusCode.BadRequest, "label"),
        new("the implicit latest label", "POST", Create, Definition(Good, ""","label":"latest" """), HttpStatusCode.BadRequest, "label"),
        new("an unknown metric", "POST", Create, Definition(Good, ""","primaryMetric":"revenue" """), HttpStatusCode.BadRequest, "primaryMetric"),
        new("zero minimum samples", "POST", Create, Definition(Good, ""","minSamplesPerVariant":0"""), HttpStatusCode.BadRequest, "minSamplesPerVariant"),
        new("an empty seed", "POST", Create, Definition(Good, ""","seed":"" """), HttpStatusCode.BadRequest, "seed"),
        new("an unknown field", "POST", Create, Definition(Good, ""","weights":[50,50]"""), HttpStatusCode.BadRequest, "weights"),
        new("a key that exists", "POST", Create, $$"""{"key":"def-taken","prompt":"def/p","variants":{{Good}}}""", HttpStatusCode.Conflict, null),
        new("start: unknown experiment", "POST", $"{Create}/def-none/start", "{}", HttpStatusCode.NotFound, null),
        new("stop: not started", "POST", $"{Create}/def-taken/stop", "{}", HttpStatusCode.Conflict, null),
        new("stop: unknown variant to promote", "POST", $"{Create}/def-taken/stop", """{"promote":"nobody"}""", HttpStatusCode.BadRequest, "promote"),
        new("results: bad key", "GET", $"{Create}/a%20b/results", "", HttpStatusCode.BadRequest, "key"),
        new("rollout: percent 0", "POST", Rollout, """{"version":2,"percent":0}""", HttpStatusCode.BadRequest, "percent"),
        new("rollout: percent 101", "POST", Rollout, """{"version":2,"percent":101}""", HttpStatusCode.BadRequest, "percent"),
        new("rollout: fractional percent", "POST", Rollout, """{"version":2,"percent":12.5}""", HttpStatusCode.BadRequest, "percent"),
        new("rollout: no version", "POST", Rollout, """{"percent":10}""", HttpStatusCode.BadRequest, "version"),
        new("rollout: the current version", "POST", Rollout, """{"version":1,"percent":10}""", HttpStatusCode.BadRequest, "version"),
        new("rollout: an unknown version", "POST", Rollout, """{"version":4,"percent":10}""", HttpStatusCode.BadRequest, "version"),
        new("rollout: a label with no version", "POST", "/api/v1/prompts/def%2Fp/labels/staging/rollout", """{"version":2,"percent":10}""", HttpStatusCode.Conflict, null),
        new("rollout: the latest label", "POST", "/api/v1/prompts/def%2Fp/labels/latest/rollout", """{"version":2,"percent":10}""", HttpStatusCode.BadRequest, "label"),
        new("rollout: raise with none running", "PATCH", Rollout, """{"percent":25}""", HttpStatusCode.NotFound, null),
        new("rollout: complete with none running", "POST", $"{Rollout}/complete", "{}", HttpStatusCode.NotFound, null),
        new("rollout: abort with none running", "POST", $"{Rollout}/abort", "{}", HttpStatusCode.NotFound, null),
        new("rollout: unknown prompt", "POST", "/api/v1/prompts/def%2Fnone/labels/production/rollout", """{"version":2,"percent":10}""", HttpStatusCode.NotFound, null),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_definition_or_step_answers_a_problem_naming_it_and_writes_nothing(string name)
    {
        await SeedAsync();
        var @case = Cases.Single(c => c.Name == name);
        var request = new HttpRequestMessage(new HttpMethod(@case.Method), @case.Path);
        if (@case.Method != "GET") request.Content = new StringContent(@case.Json, Encoding.UTF8, "application/json");
        await app.AssertRefusedAndUnchangedAsync(request, @case.Status, @case.Field);
    }

    async Task SeedAsync()
    {
        if (await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'def/p'") > 0) return;
        var admin = app.Admin();
        await admin.PromptInProductionAsync("def/p", 3);
        await admin.PromptInProductionAsync("def/other", 5);
        await admin.CreateExperimentAsync(new
        {
            key = "def-taken",
            prompt = "def/p",
            variants = new object[] { new { name = "control", version = 1, weight = 50 }, new { name = "b", version = 2, weight = 50 } },
        });
    }
}

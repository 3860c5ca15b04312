using System.Text;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Analytics;

/// <summary>
/// Bad requests to the endpoints of analytics, serving and notifications: each answers a 4xx problem
/// (naming the field where there is one) and leaves the database as it was.
/// </summary>
public sealed class LaterEndpointsBadRequestTests(AppFactory app) : IClassFixture<AppFactory>
{
    public sealed record Case(string Name, string Method, string Path, string? Json, HttpStatusCode Status, string? Field = null);

    static readonly string Now = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O");
    static readonly string Item = $$"""{"id":"ok-1","prompt":"bad/p","version":1,"occurredAt":"{{Now}}"}""";

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("ingest: no body", "POST", "/api/v1/executions", null, HttpStatusCode.BadRequest, "body"),
        new("ingest: malformed JSON", "POST", "/api/v1/executions", """{"executions":[""", HttpStatusCode.BadRequest),
        new("ingest: executions not an array", "POST", "/api/v1/executions", """{"executions":"x"}""", HttpStatusCode.BadRequest, "executions"),
        new("ingest: unknown field", "POST", "/api/v1/executions", """{"executions":[],"extra":1}""", HttpStatusCode.BadRequest, "extra"),
        new("ingest: null item", "POST", "/api/v1/executions", """{"executions":[null]}""", HttpStatusCode.BadRequest, "executions[0]"),
        new("ingest: SQL in the id", "POST", "/api/v1/executions", $$"""{"executions":[{{Item}},{"id":"x'; DROP TABLE analytics.executions;--","prompt":"bad/p","version":1,"occurredAt":"{{Now}}"}]}""", HttpStatusCode.BadRequest, "executions[1].id"),
        new("ingest: HTML in the prompt name", "POST", "/api/v1/executions", $$"""{"executions":[{"id":"h","prompt":"<b>x</b>","version":1,"occurredAt":"{{Now}}"}]}""", HttpStatusCode.BadRequest, "executions[0].prompt"),
        new("ingest: score not finite text", "POST", "/api/v1/executions", $$"""{"executions":[{"id":"s","prompt":"bad/p","version":1,"score":"NaN","occurredAt":"{{Now}}"}]}""", HttpStatusCode.BadRequest, "executions[0].score"),
        new("ingest: bad time", "POST", "/api/v1/executions", """{"executions":[{"id":"t","prompt":"bad/p","version":1,"occurredAt":"yesterday"}]}""", HttpStatusCode.BadRequest, "executions[0].occurredAt"),
        new("outcome: unknown execution", "POST", "/api/v1/executions/nope/outcome", """{"success":true}""", HttpStatusCode.NotFound),
        new("outcome: id with bad characters", "POST", "/api/v1/executions/a%20b/outcome", """{"success":true}""", HttpStatusCode.BadRequest, "id"),
        new("outcome: nothing to record", "POST", "/api/v1/executions/ok-1/outcome", "{}", HttpStatusCode.BadRequest, "success"),
        new("outcome: wrong type", "POST", "/api/v1/executions/ok-1/outcome", """{"success":"yes"}""", HttpStatusCode.BadRequest, "success"),
        new("outcomes: empty", "POST", "/api/v1/outcomes", """{"outcomes":[]}""", HttpStatusCode.BadRequest, "outcomes"),
        new("outcomes: no id", "POST", "/api/v1/outcomes", """{"outcomes":[{"success":true}]}""", HttpStatusCode.BadRequest, "outcomes[0].executionId"),
        new("analytics: unknown prompt", "GET", "/api/v1/analytics/prompts/bad%2Fnothing", null, HttpStatusCode.NotFound),
        new("analytics: bad name", "GET", "/api/v1/analytics/prompts/a%2F..%2Fb", null, HttpStatusCode.BadRequest, "name"),
        new("analytics: bad date", "GET", "/api/v1/analytics/prompts/bad%2Fp?from=someday", null, HttpStatusCode.BadRequest, "from"),
        new("analytics: from after to", "GET", "/api/v1/analytics/prompts/bad%2Fp?from=2026-02-01&to=2026-01-01", null, HttpStatusCode.BadRequest, "to"),
        new("analytics: range too long", "GET", "/api/v1/analytics/overview?from=2020-01-01&to=2026-01-01", null, HttpStatusCode.BadRequest, "from"),
        new("analytics: hourly", "GET", "/api/v1/analytics/prompts/bad%2Fp?granularity=hour", null, HttpStatusCode.BadRequest, "granularity"),
        new("backfill: no dates", "POST", "/api/v1/analytics/backfill", "{}", HttpStatusCode.BadRequest, "from"),
        new("backfill: future", "POST", "/api/v1/analytics/backfill", """{"from":"2026-01-01","to":"2999-01-01"}""", HttpStatusCode.BadRequest, "to"),
        new("backfill: not a date", "POST", "/api/v1/analytics/backfill", """{"from":"x","to":"y"}""", HttpStatusCode.BadRequest, "from"),
        new("backfill state: not an id", "GET", "/api/v1/analytics/backfill/nope", null, HttpStatusCode.BadRequest, "id"),
        new("resolve: bad label", "GET", "/api/v1/prompts/bad%2Fp/resolve?label=%3Cscript%3E", null, HttpStatusCode.BadRequest, "label"),
        new("resolve: subject too long", "GET", $"/api/v1/prompts/bad%2Fp/resolve?subject={new string('s', 257)}", null, HttpStatusCode.BadRequest, "subject"),
        new("render: variables an array", "POST", "/api/v1/prompts/bad%2Fp/render", """{"variables":[1]}""", HttpStatusCode.BadRequest, "variables"),
        new("render: unknown version", "POST", "/api/v1/prompts/bad%2Fp/render", """{"version":99}""", HttpStatusCode.NotFound),
        new("notifications: bad state", "GET", "/api/v1/notifications?state=Delivered", null, HttpStatusCode.BadRequest, "state"),
        new("notifications: page size", "GET", "/api/v1/notifications?pageSize=500", null, HttpStatusCode.BadRequest, "pageSize"),
        new("notifications: test without a webhook", "POST", "/api/v1/notifications/test", "{}", HttpStatusCode.Conflict),
        new("notifications: retry not an id", "POST", "/api/v1/notifications/x/retry", null, HttpStatusCode.BadRequest, "id"),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_bad_request_answers_a_problem_and_changes_nothing(string name)
    {
        await SeedAsync();
        var @case = Cases.Single(c => c.Name == name);
        var request = new HttpRequestMessage(new HttpMethod(@case.Method), @case.Path);
        if (@case.Json is not null) request.Content = new StringContent(@case.Json, Encoding.UTF8, "application/json");
        else if (@case.Method == "POST" && @case.Path.EndsWith("/executions", StringComparison.Ordinal)) request.Content = new StringContent("", Encoding.UTF8, "application/json");
        await app.AssertRefusedAndUnchangedAsync(request, @case.Status, @case.Field);
    }

    async Task SeedAsync()
    {
        if (await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'bad/p'") > 0) return;
        var admin = app.Admin();
        await admin.PromptWithVersionsAsync("bad/p", 1);
        await admin.ActivateAsync("bad/p", "production", 1);
        await admin.ReportAsync(AnalyticsApi.Execution("ok-1", "bad/p", 1, AnalyticsApi.JustNow));
    }
}

namespace PromptHub.Tests.Platform;

public sealed class PlatformTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Health_probes_answer_without_a_key()
    {
        var live = await app.Anonymous().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = await app.Anonymous().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Swagger_documents_every_endpoint_and_the_bearer_scheme()
    {
        var ui = await app.Anonymous().GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);

        var document = await (await app.Anonymous().GetAsync("/swagger/v1/swagger.json")).ReadJsonAsync(HttpStatusCode.OK);
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        Assert.NotNull(document["security"]);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        string[] expected =
        [
            "/api/v1/prompts", "/api/v1/prompts/{name}", "/api/v1/prompts/{name}/versions", "/api/v1/prompts/{name}/versions/{version}",
            "/api/v1/prompts/{name}/versions/{version}/diff", "/api/v1/prompts/{name}/labels/{label}",
            "/api/v1/prompts/{name}/labels/{label}/rollback", "/api/v1/prompts/{name}/labels/{label}/history",
            "/api/v1/keys", "/api/v1/keys/{id}", "/api/v1/projects", "/api/v1/projects/current",
            "/api/v1/prompts/{name}/resolve", "/api/v1/prompts/{name}/render",
            "/api/v1/executions", "/api/v1/executions/{id}/outcome", "/api/v1/outcomes",
            "/api/v1/analytics/prompts/{name}", "/api/v1/analytics/overview", "/api/v1/analytics/backfill", "/api/v1/analytics/backfill/{id}",
            "/api/v1/notifications", "/api/v1/notifications/test", "/api/v1/notifications/settings", "/api/v1/notifications/{id}/retry",
        ];
        Assert.All(expected, path => Assert.Contains(path, paths));
    }

    [Fact]
    public async Task Errors_are_problem_documents_with_a_trace_id()
    {
        var unknown = await app.Admin().GetAsync("/api/v1/no-such-thing");
        var problem = await unknown.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]));
    }

    [Fact]
    public async Task No_secret_reaches_a_log_line_or_an_error_answer()
    {
        var readerSecret = await app.CreateKeyAsync("reader");
        var unknownSecret = "phk_unknown-" + Guid.NewGuid().ToString("N");
        var responses = new List<string>();
        foreach (var secret in new[] { app.AdminSecret, readerSecret, unknownSecret })
        {
            var client = app.As(secret);
            responses.Add(await (await client.GetAsync("/api/v1/prompts")).Content.ReadAsStringAsync());
            responses.Add(await (await client.PostAsJsonAsync("/api/v1/prompts", new { name = "x y", type = "text" })).Content.ReadAsStringAsync());
            responses.Add(await (await client.GetAsync("/api/v1/prompts/missing?secret=" + secret)).Content.ReadAsStringAsync());
        }

        var lines = app.Logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("HTTP GET /api/v1/prompts responded 200", StringComparison.Ordinal));
        foreach (var secret in new[] { app.AdminSecret, readerSecret, unknownSecret })
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(responses, r => r.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Each_request_is_logged_once_with_method_path_status_duration_and_trace_id()
    {
        var response = await app.Admin().GetAsync("/api/v1/prompts/log-line-check");
        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        var traceId = (string)problem["traceId"]!;
        await HttpAssertions.EventuallyAsync(() =>
        {
            var line = Assert.Single(app.Logs.Lines, l => l.Contains(traceId, StringComparison.Ordinal));
            Assert.Matches(@"HTTP GET /api/v1/prompts/log-line-check responded 404 in \d+\.\d ms", line);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task Bodies_over_one_mebibyte_are_refused_with_413_whether_or_not_their_length_is_announced()
    {
        var admin = app.Admin();
        await (await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "big", type = "text" })).ReadJsonAsync(HttpStatusCode.Created);
        var huge = "{\"template\":\"" + new string('a', 1_100_000) + "\"}";

        var announced = new StringContent(huge, System.Text.Encoding.UTF8, "application/json");
        await (await admin.PostAsync("/api/v1/prompts/big/versions", announced)).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/prompts/big/versions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await (await admin.SendAsync(request)).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(0, await app.ScalarAsync<int>("SELECT latest_version FROM prompts.prompts WHERE name = 'big'"));
    }
}

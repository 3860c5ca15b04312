using System.Text;

namespace PromptHub.Tests.Platform;

/// <summary>
/// The document behind /swagger, read as Swagger UI reads it: every operation summarised, every body with
/// an example, and the examples executed as Swagger UI would send them (path parameters from their
/// examples, encoded like encodeURIComponent), in the order an admin uses them. Keeps the docs honest.
/// </summary>
public sealed class ApiDocsTests(AppFactory app) : IClassFixture<AppFactory>
{
    async Task<JsonNode> DocumentAsync() => await (await app.Anonymous().GetAsync("/swagger/v1/swagger.json")).ReadJsonAsync(HttpStatusCode.OK);

    static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => (path.Key, op.Key, op.Value!)));

    [Fact]
    public async Task Every_operation_has_a_summary_and_every_body_an_example_and_a_schema()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToList();
        Assert.True(operations.Count > 60, $"only {operations.Count} operations");
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace((string?)o.Operation["summary"]), $"{o.Method} {o.Path} has no summary"));
        foreach (var (path, method, operation) in operations.Where(o => o.Operation["requestBody"] is not null))
        {
            var media = operation["requestBody"]!["content"]!["application/json"];
            Assert.True(media?["examples"]?.AsObject().Count > 0, $"{method} {path} has no body example");
            Assert.NotNull(media!["schema"]);
        }
        foreach (var (path, method, operation) in operations)
        {
            var codes = operation["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
            Assert.True(new[] { "400", "401", "403", "405", "429", "503" }.All(codes.Contains), $"{method} {path} lists only {string.Join(",", codes)}");
            if (path.Contains('{')) Assert.True(codes.Contains("404"), $"{method} {path} has parameters but lists no 404");
            Assert.True(codes.Any(c => c.StartsWith('2')), $"{method} {path} lists no success");
            if (operation["requestBody"] is not null) Assert.True(codes.Contains("413") && codes.Contains("415"), $"{method} {path} takes a body but lists no 413/415");
        }
    }

    [Fact]
    public async Task The_document_names_the_product_orders_tags_as_an_admin_works_and_documents_paging_headers_and_problems()
    {
        var document = await DocumentAsync();
        Assert.Equal("PromptHub API", (string?)document["info"]!["title"]);
        Assert.Contains("/swagger/readme", (string?)document["info"]!["description"]);
        var readme = await app.Anonymous().GetAsync("/swagger/readme");
        Assert.Contains("# PromptHub", await readme.Content.ReadAsStringAsync());
        Assert.Contains("without `Bearer `", (string?)document["components"]!["securitySchemes"]!["Bearer"]!["description"]);

        var tags = document["tags"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        Assert.Equal(["Prompts", "Serving", "Experiments"], tags.Take(3));
        string[] order = ["Prompts", "Serving", "Experiments", "Analytics", "Keys", "Projects", "Notifications", "Ops"];
        Assert.Equal(order, tags.Where(order.Contains));
        Assert.Equal("Prompts", (string?)document["paths"]!.AsObject().First().Value!.AsObject().First().Value!["tags"]![0]);

        var listPrompts = document["paths"]!["/api/v1/prompts"]!["get"]!;
        Assert.Equal(["page", "pageSize", "search", "tag"], listPrompts["parameters"]!.AsArray().Select(p => (string)p!["name"]!).Order());
        var resolve = document["paths"]!["/api/v1/prompts/{name}/resolve"]!["get"]!;
        var parameters = resolve["parameters"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!);
        Assert.Equal("header", (string?)parameters["If-None-Match"]["in"]);
        Assert.All(new[] { "label", "version", "subject" }, name => Assert.False(string.IsNullOrEmpty((string?)parameters[name]["description"])));
        Assert.NotNull(resolve["responses"]!["304"]);
        Assert.NotNull(resolve["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(resolve["responses"]!["429"]!["headers"]!["Retry-After"]);

        var problem = document["components"]!["schemas"]!["ProblemDetails"]!["properties"]!;
        Assert.NotNull(problem["errors"]);
        Assert.NotNull(problem["traceId"]);
        // Langfuse's routes answer in Langfuse's envelope, and say so.
        var langfuseError = document["paths"]!["/api/public/v2/prompts/{name}"]!["get"]!["responses"]!["404"]!["content"]!["application/json"]!["schema"]!;
        Assert.EndsWith("/LangfuseError", (string?)langfuseError["$ref"]);

        // Free JSON is an object, not JsonNode's internals; required fields are marked and not nullable.
        var version = document["components"]!["schemas"]!["VersionRequest"]!;
        Assert.Equal("object", (string?)version["properties"]!["config"]!["type"]);
        Assert.Null(version["properties"]!["config"]!["properties"]);
        Assert.DoesNotContain("JsonNode", document["components"]!["schemas"]!.AsObject().Select(s => s.Key));
        var create = document["components"]!["schemas"]!["CreatePromptRequest"]!;
        Assert.Equal(["name", "type"], create["required"]!.AsArray().Select(r => (string)r!).Order());
        Assert.Null(create["properties"]!["name"]!["nullable"]);
        Assert.True((bool)create["properties"]!["description"]!["nullable"]!);
    }

    [Fact]
    public async Task Each_example_succeeds_as_Swagger_UI_sends_it_in_the_order_an_admin_works()
    {
        var document = await DocumentAsync();
        var run = new ExampleRun(app.Admin(), document);

        // Prompts: both prompts, three uploads (the text one to the text prompt), a dedupe, activation and rollback.
        await run.AllAsync("CreatePrompt", HttpStatusCode.Created);
        await run.ExampleAsync("UploadVersion", "chat", HttpStatusCode.Created);
        await run.ExampleAsync("UploadVersion", "chat-config", HttpStatusCode.Created);
        await run.ExampleAsync("UploadVersion", "chat-config", HttpStatusCode.OK); // identical to the latest: nothing new
        await run.ExampleAsync("UploadVersion", "text", HttpStatusCode.Created, new() { ["name"] = run.BodyOf("CreatePrompt", "text")["name"]!.ToString() });
        var activated = await run.ExampleAsync("ActivateLabel", null, HttpStatusCode.OK);
        Assert.Equal(1, (int)activated["version"]!);
        await run.SendAsync(HttpMethod.Put, "/api/v1/prompts/support%2Ftriage/labels/production", new JsonObject { ["version"] = 2 }, HttpStatusCode.OK);
        var rolledBack = await run.ExampleAsync("RollbackLabel", null, HttpStatusCode.OK);
        Assert.Equal(1, (int)rolledBack["version"]!);
        await run.ExampleAsync("ResolvePrompt", null, HttpStatusCode.OK);
        var rendered = await run.ExampleAsync("RenderPrompt", null, HttpStatusCode.OK);
        Assert.Contains("I was charged twice", rendered.ToJsonString());

        // Experiments and a rollout.
        await run.ExampleAsync("CreateExperiment", null, HttpStatusCode.Created);
        await run.ExampleAsync("StartExperiment", null, HttpStatusCode.OK);
        await run.ExampleAsync("StopExperiment", null, HttpStatusCode.OK);
        await run.SendAsync(HttpMethod.Put, "/api/v1/prompts/support%2Ftriage/labels/production", new JsonObject { ["version"] = 1 }, HttpStatusCode.OK);
        await run.ExampleAsync("StartRollout", null, HttpStatusCode.Created);
        await run.ExampleAsync("ChangeRollout", null, HttpStatusCode.OK);
        await run.ExampleAsync("AbortRollout", null, HttpStatusCode.OK);
        await run.ExampleAsync("StartRollout", null, HttpStatusCode.Created);
        await run.ExampleAsync("CompleteRollout", null, HttpStatusCode.OK);

        // Executions, outcomes, analytics.
        var ingest = await run.ExampleAsync("ReportExecutions", null, HttpStatusCode.Accepted);
        Assert.Equal(2, (int)ingest["accepted"]!);
        await run.ExampleAsync("ReportOutcome", null, HttpStatusCode.OK);
        await run.ExampleAsync("ReportOutcomes", null, HttpStatusCode.OK);
        await run.ExampleAsync("Backfill", null, HttpStatusCode.Accepted);

        // Guardrails, Git, keys, projects, ops, Langfuse.
        await run.AllAsync("CreateGuardrail", HttpStatusCode.Created);
        var guardrail = (await run.SendAsync(HttpMethod.Get, "/api/v1/guardrails", null, HttpStatusCode.OK))["items"]!.AsArray()
            .Single(g => (string?)g!["name"] == (string?)run.BodyOf("ReplaceGuardrail", null)["name"])!;
        await run.ExampleAsync("ReplaceGuardrail", null, HttpStatusCode.OK, new() { ["id"] = (string)guardrail["id"]! });
        var check = await run.ExampleAsync("CheckGuardrails", null, HttpStatusCode.OK);
        Assert.NotEmpty(check["findings"]!.AsArray());
        await run.ExampleAsync("PutGitSource", null, HttpStatusCode.Created);
        await run.AllAsync("CreateKey", HttpStatusCode.Created);
        await run.ExampleAsync("CreateProject", null, HttpStatusCode.Created);
        await run.ExampleAsync("PauseJob", null, HttpStatusCode.OK);
        await run.ExampleAsync("ResumeJob", null, HttpStatusCode.OK);
        await run.ExampleAsync("LangfuseCreatePrompt", null, HttpStatusCode.Created);
        await run.ExampleAsync("LangfuseUpdatePromptVersion", null, HttpStatusCode.OK);

        // TestNotification needs a Discord webhook in the settings (409 without); every other body was sent above.
        var withBodies = Operations(document).Where(o => o.Operation["requestBody"] is not null).Select(o => (string)o.Operation["operationId"]!);
        Assert.Equal(["TestNotification"], withBodies.Except(run.Sent));
    }

    /// <summary>Sends operations of the document as Swagger UI does after "Try it out" and "Execute".</summary>
    sealed class ExampleRun(HttpClient client, JsonNode document)
    {
        public HashSet<string> Sent { get; } = [];

        (string Path, string Method, JsonNode Operation) Find(string operationId) =>
            Operations(document).Single(o => (string?)o.Operation["operationId"] == operationId);

        JsonObject Examples(string operationId) => Find(operationId).Operation["requestBody"]?["content"]!["application/json"]!["examples"]!.AsObject() ?? [];

        /// <summary>The named example's value (the first, as pre-filled, when no name is given).</summary>
        public JsonNode BodyOf(string operationId, string? example) =>
            (example is null ? Examples(operationId).First().Value : Examples(operationId)[example])!["value"]!;

        public async Task AllAsync(string operationId, HttpStatusCode expected)
        {
            foreach (var (name, _) in Examples(operationId)) await ExampleAsync(operationId, name, expected);
        }

        public async Task<JsonNode> ExampleAsync(string operationId, string? example, HttpStatusCode expected, Dictionary<string, string>? values = null)
        {
            var (path, method, operation) = Find(operationId);
            var query = new List<string>();
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                var name = (string)parameter!["name"]!;
                var value = values?.GetValueOrDefault(name) ?? parameter["example"]?.ToString();
                if (value is null) continue;
                if ((string?)parameter["in"] == "path") path = path.Replace("{" + name + "}", Uri.EscapeDataString(value));
                else if ((string?)parameter["in"] == "query") query.Add($"{name}={Uri.EscapeDataString(value)}");
            }
            Assert.DoesNotContain("{", path);
            var body = operation["requestBody"] is null ? null : BodyOf(operationId, example).DeepClone();
            Sent.Add(operationId);
            return await SendAsync(new HttpMethod(method.ToUpperInvariant()), path + (query.Count > 0 ? "?" + string.Join("&", query) : ""), body, expected,
                $"{operationId} ({example ?? "first example"})");
        }

        public async Task<JsonNode> SendAsync(HttpMethod method, string url, JsonNode? body, HttpStatusCode expected, string? what = null)
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{what ?? url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
        }
    }
}

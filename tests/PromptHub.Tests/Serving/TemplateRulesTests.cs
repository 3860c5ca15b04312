using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Serving;

/// <summary>The rules of the template language beyond plain variables: strictness, includes, sandbox, Liquid.</summary>
public sealed class TemplateRulesTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task An_unclosed_tag_at_the_very_end_is_refused_at_upload()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("rules/unclosed");
        var problem = await (await admin.PostAsJsonAsync("/api/v1/prompts/rules%2Funclosed/versions", new { template = "Hello\nthere {{ name" }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, (int)problem["line"]!);
        Assert.Equal(7, (int)problem["column"]!);
        Assert.Contains("never closed", (string?)problem["detail"]);
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'rules/unclosed'"));
    }

    [Theory]
    [InlineData("{{ object.eval 'secret' }}", "object.eval is not available")]
    [InlineData("{{ 'x' | object.eval_template }}", "object.eval_template is not available")]
    [InlineData("{{ include_join ['a'] }}", "include another prompt as")]
    [InlineData("{{ include name }}", "an include names one prompt in quotes")]
    [InlineData("{{ x = 1; include 'rules/part' }}", "write an include as a tag of its own")]
    [InlineData("{{ include 'no//such' }}", "is not a prompt name")]
    public async Task Templates_that_could_read_names_no_static_walk_sees_are_refused(string template, string expected)
    {
        var admin = app.Admin();
        var name = "rules/eval-" + Guid.NewGuid().ToString("N")[..8];
        await admin.CreatePromptAsync(name);
        var problem = await (await admin.PostAsJsonAsync($"/api/v1/prompts/{Uri.EscapeDataString(name)}/versions", new { template }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(expected, (string?)problem["detail"]);
        Assert.NotNull(problem["errors"]!["template"]);
    }

    [Fact]
    public async Task Derived_variables_leave_out_assignments_loop_variables_and_builtins()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("rules/derived");
        var version = await admin.UploadAsync("rules/derived", new
        {
            template = "{{ total = 0 }}{{ for item in cart.items }}{{ total = total + item.price }}{{ end }}" +
                       "{{ capture note }}for {{ customer }}{{ end }}{{ note | string.upcase }} {{ date.now | date.to_string '%Y' }} {{ total }}",
        });
        Assert.Equal(["cart", "customer"], version["variables"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public async Task Assignments_never_leak_from_one_render_into_the_next()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("rules/assign");
        await admin.UploadAsync("rules/assign", new { template = "{{ greeting = greeting + '!' }}{{ greeting }}", labels = new[] { "production" } });
        for (var i = 0; i < 3; i++)
        {
            var rendered = await (await admin.RenderAsync("rules/assign", new { variables = new { greeting = "Hi" } })).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("Hi!", (string?)rendered["text"]);
        }
        // Without the variable the read before the assignment fails: nothing was left behind by the renders before.
        var problem = await (await admin.RenderAsync("rules/assign", new { variables = new { } })).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("greeting", (string?)problem["detail"]);
    }

    [Fact]
    public async Task A_chain_of_includes_renders_and_resolves_as_one_text_with_the_variables_of_all()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("chain/sign", "-- {{ agent }}");
        await admin.ActivateAsync("chain/sign", "production", 1);
        await admin.CreatePromptAsync("chain/footer");
        await admin.UploadAsync("chain/footer", new { template = "Thanks, {{ name }}.\n{{ include 'chain/sign' }}", labels = new[] { "production" } });
        await admin.CreatePromptAsync("chain/mail");
        await admin.UploadAsync("chain/mail", new { template = "{{ if vip }}Dear{{ else }}Hi{{ end }} {{ name }},\n{{ include 'chain/footer' }}", labels = new[] { "production" } });

        var rendered = await (await admin.RenderAsync("chain/mail", new { variables = new { vip = true, name = "Ann", agent = "Bo" } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Dear Ann,\nThanks, Ann.\n-- Bo", (string?)rendered["text"]);
        var resolved = await admin.ResolveAsync("chain/mail");
        Assert.Equal("{{ if vip }}Dear{{ else }}Hi{{ end }} {{ name }},\nThanks, {{ name }}.\n-- {{ agent }}", (string?)resolved["template"]);
        Assert.Equal(["agent", "name", "vip"], resolved["variables"]!.AsArray().Select(v => (string)v!));

        // A missing member inside an included prompt is named with the prompt and its position.
        var problem = await (await admin.RenderAsync("chain/mail", new { variables = new { vip = false, name = "Ann", agent = new { } } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Hi Ann,\nThanks, Ann.\n-- {}", (string?)problem["text"]);
        await admin.UploadAsync("chain/sign", new { template = "-- {{ agent.name }}", labels = new[] { "production" } });
        var member = await (await admin.RenderAsync("chain/mail", new { variables = new { vip = false, name = "Ann", agent = new { } } }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("included prompt 'chain/sign' (version 2), line 1, column", (string?)member["detail"]);
    }

    [Fact]
    public async Task Liquid_versions_render_with_the_same_strictness_and_are_told_apart_from_scriban()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("rules/liquid");
        const string Template = "{% for t in tags %}{{ t | upcase }} {% endfor %}for {{ user.name }}";
        var liquid = await admin.UploadAsync("rules/liquid", new { template = Template, templateFormat = "liquid", labels = new[] { "production" } });
        Assert.Equal("liquid", (string?)liquid["templateFormat"]);
        Assert.Equal(["tags", "user"], liquid["variables"]!.AsArray().Select(v => (string)v!));

        var resolved = await admin.ResolveAsync("rules/liquid");
        Assert.Equal("liquid", (string?)resolved["templateFormat"]);
        var rendered = await (await admin.RenderAsync("rules/liquid", new { variables = new { tags = new[] { "a", "b" }, user = new { name = "Ann" } } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("A B for Ann", (string?)rendered["text"]);
        var member = await (await admin.RenderAsync("rules/liquid", new { variables = new { tags = Array.Empty<string>(), user = new { } } }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("name", (string?)member["detail"]);

        // The same text as Scriban is other content: a new version with another hash.
        var scriban = await admin.UploadAsync("rules/liquid", new { template = Template });
        Assert.Equal(2, (int)scriban["version"]!);
        Assert.Equal("scriban", (string?)scriban["templateFormat"]);
        Assert.NotEqual((string?)liquid["contentHash"], (string?)scriban["contentHash"]);
        Assert.Equal("prompt", (string?)scriban["changeType"]);

        await (await admin.PostAsJsonAsync("/api/v1/prompts/rules%2Fliquid/versions", new { template = "{% if x %}", templateFormat = "liquid" }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        var format = await (await admin.PostAsJsonAsync("/api/v1/prompts/rules%2Fliquid/versions", new { template = "x", templateFormat = "jinja" }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(format["errors"]!["templateFormat"]);

        // An include stays within one format.
        var mixed = await (await admin.PostAsJsonAsync("/api/v1/prompts/rules%2Fliquid/versions",
            new { template = "{% include 'rules/liquid@latest' %}", templateFormat = "liquid" })).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cycle", (string?)mixed["detail"]);
        await admin.CreateTextPromptAsync("rules/scriban-part", "part {{ x }}");
        var other = await (await admin.PostAsJsonAsync("/api/v1/prompts/rules%2Fliquid/versions",
            new { template = "{% include 'rules/scriban-part@latest' %}", templateFormat = "liquid" })).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("must be in the same format", (string?)other["detail"]);
    }
}

/// <summary>An app with small render limits, to reach each of them.</summary>
public sealed class LimitedApp : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PromptHub:Serving:LoopLimit"] = "100000000",
        ["PromptHub:Serving:RecursiveLimit"] = "20",
        ["PromptHub:Serving:OutputLimit"] = "1000",
        ["PromptHub:Serving:RenderTimeoutMilliseconds"] = "300",
    };
}

public sealed class RenderLimitTests(LimitedApp app) : IClassFixture<LimitedApp>
{
    async Task<JsonNode> RefusedAsync(string name, string template, object variables)
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync(name);
        await admin.UploadAsync(name, new { template, labels = new[] { "production" } });
        return await (await admin.RenderAsync(name, new { variables })).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_loop_past_the_loop_limit_is_a_422()
    {
        var problem = await RefusedAsync("limit/loop", "{{ for i in 1..100000001 }}.{{ end }}", new { });
        Assert.Contains("LoopLimit", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Recursion_past_the_recursive_limit_is_a_422()
    {
        var problem = await RefusedAsync("limit/recursion", "{{ func down(n); ret down(n + 1); end }}{{ down start }}", new { start = 0 });
        Assert.Contains("limit", (string?)problem["detail"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Output_past_the_output_limit_is_a_422()
    {
        var problem = await RefusedAsync("limit/output", "{{ for i in rows }}{{ for j in rows }}0123456789{{ end }}{{ end }}", new { rows = new int[11] });
        Assert.Contains("longer than 1000 characters", (string?)problem["detail"]);
        var fits = await (await app.Admin().RenderAsync("limit/output", new { variables = new { rows = new int[10] } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1000, ((string?)fits["text"])!.Length);
    }

    [Fact]
    public async Task A_render_past_the_time_cap_is_cancelled_with_a_422_and_the_next_render_works()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var problem = await RefusedAsync("limit/time", "{{ if slow }}{{ for i in 1..100000 }}{{ for j in 1..100000 }}{{ end }}{{ end }}{{ end }}", new { slow = true });
        Assert.Contains("longer than 300 ms", (string?)problem["detail"]);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"stopped after {started.Elapsed.TotalSeconds:0.0} s");
        var quick = await (await app.Admin().RenderAsync("limit/time", new { variables = new { slow = false } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("", (string?)quick["text"]);
    }
}

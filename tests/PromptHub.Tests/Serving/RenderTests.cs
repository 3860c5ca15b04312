using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Serving;

public sealed class RenderTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Renders_variables_of_every_json_type_without_html_escaping()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("render/types");
        await admin.UploadAsync("render/types", new
        {
            template = "<b>{{name}}</b> n={{ count }} x={{ ratio }} vip={{ vip }} none=[{{ nothing }}] city={{ address.city }}" +
                       "{{ if vip }} VIP{{ else }} regular{{ end }}{{ if nothing == null }} empty{{ end }} tags:{{ for t in tags }} {{ for.index }}={{ t }}{{ end }}" +
                       " {{ for o in orders }}[{{ o.id }}:{{ o.total }}]{{ end }} {{ name | string.upcase }}",
            labels = new[] { "production" },
        });

        var response = await admin.RenderAsync("render/types", new
        {
            variables = new
            {
                name = "Ann & <Co>",
                count = 3,
                ratio = 0.25,
                vip = true,
                nothing = (string?)null,
                address = new { city = "Oslo" },
                tags = new object[] { "a", 2, false },
                orders = new[] { new { id = "o1", total = 9.5 }, new { id = "o2", total = 12.0 } },
            },
        });
        var rendered = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(
            "<b>Ann & <Co></b> n=3 x=0.25 vip=true none=[] city=Oslo VIP empty tags: 0=a 1=2 2=false [o1:9.5][o2:12] ANN & <CO>",
            (string?)rendered["text"]);
        Assert.Equal(1, (int)rendered["version"]!);
        Assert.Equal("scriban", (string?)rendered["templateFormat"]);
        Assert.Equal("production", (string?)rendered["label"]);
        Assert.Empty(rendered["guardrails"]!.AsArray());
    }

    [Fact]
    public async Task Missing_variables_are_all_named_in_a_422()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("render/missing");
        await admin.UploadAsync("render/missing", new { template = "{{greeting}} {{name}}, your order {{order.id}} ships {{day}}.", labels = new[] { "production" } });

        var response = await admin.RenderAsync("render/missing", new { variables = new { name = "Ann" } });
        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["day", "greeting", "order"], problem["missing"]!.AsArray().Select(m => (string)m!));

        // A nested name that is absent is named too.
        var nested = await admin.RenderAsync("render/missing", new { variables = new { greeting = "Hi", name = "Ann", day = "today", order = new { } } });
        var nestedProblem = await nested.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("member with name id", (string?)nestedProblem["detail"]);
        Assert.Equal(1, (int)nestedProblem["line"]!);
        Assert.Equal(43, (int)nestedProblem["column"]!);

        var none = await admin.RenderAsync("render/missing", new { });
        Assert.Equal(4, (await none.ReadProblemAsync(HttpStatusCode.UnprocessableEntity))["missing"]!.AsArray().Count);
    }

    [Fact]
    public async Task Chat_prompts_render_each_message()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("render/chat", "chat");
        await admin.UploadAsync("render/chat", new
        {
            messages = new[] { new { role = "system", content = "You help {{product}} users." }, new { role = "user", content = "{{question}}" } },
            labels = new[] { "production" },
        });
        var rendered = await (await admin.RenderAsync("render/chat", new { variables = new { product = "Acme", question = "How do I log in?" } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Null(rendered["text"]);
        var messages = rendered["messages"]!.AsArray();
        Assert.Equal("You help Acme users.", (string?)messages[0]!["content"]);
        Assert.Equal("user", (string?)messages[1]!["role"]);
        Assert.Equal("How do I log in?", (string?)messages[1]!["content"]);
    }

    [Fact]
    public async Task Includes_render_with_the_included_prompts_text_and_versions_can_be_chosen()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("render/signature", "-- {{agent}}");
        await admin.ActivateAsync("render/signature", "production", 1);
        await admin.CreatePromptAsync("render/mail");
        await admin.UploadAsync("render/mail", new { template = "Dear {{name}},\n{{ include 'render/signature' }}", labels = new[] { "production" } });
        await admin.UploadAsync("render/mail", new { template = "Hello {{name}}!\n{{ include 'render/signature' }}" });

        var production = await (await admin.RenderAsync("render/mail", new { variables = new { name = "Ann", agent = "Bo" } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Dear Ann,\n-- Bo", (string?)production["text"]);
        var latest = await (await admin.RenderAsync("render/mail", new { label = "latest", variables = new { name = "Ann", agent = "Bo" } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Hello Ann!\n-- Bo", (string?)latest["text"]);
        var byVersion = await (await admin.RenderAsync("render/mail", new { version = 1, variables = new { name = "Ann", agent = "Bo" } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Dear Ann,\n-- Bo", (string?)byVersion["text"]);
    }

    [Fact]
    public async Task Missing_includes_and_cycles_are_refused_at_upload()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("cycle/a");
        await admin.CreatePromptAsync("cycle/b");
        var missing = await admin.PostAsJsonAsync("/api/v1/prompts/cycle%2Fa/versions", new { template = "{{ include 'cycle/nowhere' }}" });
        Assert.Contains("'cycle/a' includes prompt 'cycle/nowhere', which does not exist (cycle/a → cycle/nowhere)",
            (string?)(await missing.ReadProblemAsync(HttpStatusCode.UnprocessableEntity))["detail"]);
        var noLabel = await admin.PostAsJsonAsync("/api/v1/prompts/cycle%2Fa/versions", new { template = "{{ include 'cycle/b@staging' }}" });
        await noLabel.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);

        await admin.UploadAsync("cycle/a", new { template = "A then {{ include 'cycle/b' }}", labels = new[] { "production" } }, HttpStatusCode.UnprocessableEntity);
        await admin.UploadAsync("cycle/b", new { template = "B alone", labels = new[] { "production" } });
        await admin.UploadAsync("cycle/a", new { template = "A then {{ include 'cycle/b' }}", labels = new[] { "production" } });
        var cycle = await admin.PostAsJsonAsync("/api/v1/prompts/cycle%2Fb/versions", new { template = "B then {{ include 'cycle/a' }}" });
        Assert.Contains("cycle/b → cycle/a → cycle/b", (string?)(await cycle.ReadProblemAsync(HttpStatusCode.UnprocessableEntity))["detail"]);
        var self = await admin.PostAsJsonAsync("/api/v1/prompts/cycle%2Fb/versions", new { template = "{{ include 'cycle/b@latest' }}" });
        await self.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await app.ScalarAsync<int>("SELECT latest_version FROM prompts.prompts WHERE name = 'cycle/b'"));
    }

    [Fact]
    public async Task A_cycle_made_by_moving_labels_is_refused_at_render()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("loop/a", "A plain");
        await admin.ActivateAsync("loop/a", "production", 1);
        await admin.CreateTextPromptAsync("loop/b", "B plain");
        await admin.ActivateAsync("loop/b", "staging", 1);
        await admin.UploadAsync("loop/a", new { template = "A with {{ include 'loop/b@staging' }}" });   // a v2
        await admin.UploadAsync("loop/b", new { template = "B with {{ include 'loop/a' }}" });           // b v2 (a@production is plain now)
        await admin.ActivateAsync("loop/a", "production", 2);
        await admin.ActivateAsync("loop/b", "staging", 2);

        var response = await admin.RenderAsync("loop/a", new { variables = new { } });
        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("The includes form a cycle: loop/a → loop/b → loop/a.", (string?)problem["detail"]);
        await (await admin.GetAsync("/api/v1/prompts/loop%2Fa/resolve")).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Rendering_stops_at_the_output_limit()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("render/huge");
        await admin.UploadAsync("render/huge", new { template = "{{ for r in rows }}{{ for s in rows }}{{ chunk }}{{ end }}{{ end }}", labels = new[] { "production" } });
        var response = await admin.RenderAsync("render/huge", new { variables = new { rows = Enumerable.Range(0, 20).ToArray(), chunk = new string('x', 3000) } });
        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("longer than", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Bad_render_requests_are_400()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("render/bad");
        await admin.UploadAsync("render/bad", new { template = "x", labels = new[] { "production" } });
        await (await admin.RenderAsync("render/bad", new { variables = new[] { 1, 2 } })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.RenderAsync("render/bad", new { version = 0 })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.RenderAsync("render/bad", new { unknown = 1 })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await app.Anonymous().PostAsJsonAsync("/api/v1/prompts/render%2Fbad/render", new { })).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await (await reader.RenderAsync("render/bad", new { })).ReadJsonAsync(HttpStatusCode.OK);
    }
}

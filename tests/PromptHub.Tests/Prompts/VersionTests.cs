using Npgsql;

namespace PromptHub.Tests.Prompts;

public sealed class VersionTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Uploads_number_versions_and_derive_variables_change_type_and_author()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("support/answer");

        var v1 = await admin.UploadAsync("support/answer", new
        {
            template = "Answer {{customer.name}} about {{ topic }}.{{ for fact in facts }} {{ fact }}{{ end }}",
            config = new { model = "gpt-4o", temperature = 0.2 },
            commitMessage = "first wording",
        });
        Assert.Equal(1, (int)v1["version"]!);
        Assert.Equal("initial", (string?)v1["changeType"]);
        Assert.Null(v1["parentVersion"]);
        Assert.Equal("admin", (string?)v1["author"]);
        Assert.Equal("first wording", (string?)v1["commitMessage"]);
        Assert.Equal(["customer", "facts", "topic"], v1["variables"]!.AsArray().Select(v => (string)v!));

        var v2 = await admin.UploadAsync("support/answer", new
        {
            template = "Answer {{customer.name}} about {{ topic }}.{{ for fact in facts }} {{ fact }}{{ end }}",
            config = new { temperature = 0.5, model = "gpt-4o" },
        });
        Assert.Equal(2, (int)v2["version"]!);
        Assert.Equal("config", (string?)v2["changeType"]);
        Assert.Equal(1, (int)v2["parentVersion"]!);

        var v3 = await admin.UploadAsync("support/answer", new { template = "Answer {{customer.name}} briefly.", config = new { temperature = 0.5, model = "gpt-4o" } });
        Assert.Equal("prompt", (string?)v3["changeType"]);
        var v4 = await admin.UploadAsync("support/answer", new { template = "Answer {{customer.name}}.", config = new { model = "gpt-4o-mini" } });
        Assert.Equal("both", (string?)v4["changeType"]);
        Assert.Equal(4, (int)v4["version"]!);
    }

    [Fact]
    public async Task An_upload_identical_to_the_latest_version_creates_nothing()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("same");
        var first = await admin.UploadAsync("same", new { template = "Hi {{name}}", config = new { a = 1, b = new { c = 2, d = 3 } } });
        // Same content, keys in another order: still identical.
        var again = await admin.UploadAsync("same", new { template = "Hi {{name}}", config = new { b = new { d = 3, c = 2 }, a = 1 } }, HttpStatusCode.OK);
        Assert.Equal(1, (int)again["version"]!);
        Assert.Equal((string?)first["contentHash"], (string?)again["contentHash"]);
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'same'"));
    }

    [Fact]
    public async Task A_chat_prompt_keeps_its_messages_and_their_variables()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("chat/triage", "chat");
        var v1 = await admin.UploadAsync("chat/triage", new
        {
            messages = new[]
            {
                new { role = "system", content = "You route tickets for {{product}}." },
                new { role = "user", content = "{{ticket}}" },
            },
        });
        Assert.Equal("chat", (string?)v1["type"]);
        Assert.Null(v1["template"]);
        Assert.Equal(["product", "ticket"], v1["variables"]!.AsArray().Select(v => (string)v!));

        var read = await admin.GetJsonAsync("/api/v1/prompts/chat%2Ftriage/versions/1");
        var messages = read["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.Equal("You route tickets for {{product}}.", (string?)messages[0]!["content"]);
        Assert.Equal("{{ticket}}", (string?)messages[1]!["content"]);
    }

    [Fact]
    public async Task A_template_that_does_not_compile_is_refused_with_its_position()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("broken");
        var response = await admin.PostAsJsonAsync("/api/v1/prompts/broken/versions", new { template = "Line one\nHello {{ if vip }}dear {{name}}" });
        var problem = await response.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, (int)problem["line"]!);
        Assert.Contains("<end>", (string?)problem["detail"]);
        Assert.NotNull(problem["errors"]!["template"]);

        var chat = await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "broken-chat", type = "chat" });
        await chat.ReadJsonAsync(HttpStatusCode.Created);
        var chatResponse = await admin.PostAsJsonAsync("/api/v1/prompts/broken-chat/versions", new
        {
            messages = new[] { new { role = "system", content = "ok" }, new { role = "user", content = "{{ name + }}" } },
        });
        var chatProblem = await chatResponse.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(chatProblem["errors"]!["messages[1].content"]);
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name LIKE 'broken%'"));
    }

    [Fact]
    public async Task History_lists_versions_newest_first_and_latest_resolves_to_the_highest()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("history", "one", "two", "three");
        var list = await admin.GetJsonAsync("/api/v1/prompts/history/versions?pageSize=2");
        Assert.Equal(3, (int)list["total"]!);
        Assert.Equal([3, 2], list["items"]!.AsArray().Select(v => (int)v!["version"]!));
        var page2 = await admin.GetJsonAsync("/api/v1/prompts/history/versions?pageSize=2&page=2");
        Assert.Equal([1], page2["items"]!.AsArray().Select(v => (int)v!["version"]!));

        var latest = await admin.GetJsonAsync("/api/v1/prompts/history/versions/latest");
        Assert.Equal("three", (string?)latest["template"]);
        Assert.Contains("latest", latest["labels"]!.AsArray().Select(l => (string)l!));
        var detail = await admin.GetJsonAsync("/api/v1/prompts/history");
        Assert.Equal(3, (int)detail["latestVersion"]!);
        Assert.Equal("three", (string?)detail["latest"]!["template"]);
    }

    [Fact]
    public async Task A_diff_shows_what_changed_between_two_versions()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("diffed");
        await admin.UploadAsync("diffed", new { template = "a\nb\nc\nd\ne\nf\ng\nh\ni", config = new { model = "m1", temperature = 0.1 } });
        await admin.UploadAsync("diffed", new { template = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj", config = new { model = "m2", temperature = 0.1 } });

        var diff = await admin.GetJsonAsync("/api/v1/prompts/diffed/versions/2/diff?against=1");
        Assert.Equal(1, (int)diff["against"]!);
        Assert.Equal("both", (string?)diff["changeType"]);
        Assert.Equal(
            "--- diffed@1\n+++ diffed@2\n@@ -2,8 +2,9 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n+j\n",
            (string?)diff["prompt"]!["diff"]);
        Assert.True((bool)diff["config"]!["changed"]!);
        Assert.Contains("-  \"model\": \"m1\",", (string?)diff["config"]!["diff"]);
        Assert.Contains("+  \"model\": \"m2\",", (string?)diff["config"]!["diff"]);

        // Without `against`, a version is compared with its parent; v1 with nothing.
        var parent = await admin.GetJsonAsync("/api/v1/prompts/diffed/versions/2/diff");
        Assert.Equal(1, (int)parent["against"]!);
        var first = await admin.GetJsonAsync("/api/v1/prompts/diffed/versions/1/diff");
        Assert.Null(first["against"]);
        Assert.StartsWith("--- (empty)\n+++ diffed@1\n@@ -0,0 +1,9 @@\n+a\n", (string?)first["prompt"]!["diff"]);

        var same = await admin.GetJsonAsync("/api/v1/prompts/diffed/versions/2/diff?against=2");
        Assert.False((bool)same["prompt"]!["changed"]!);
        Assert.Equal("", (string?)same["prompt"]!["diff"]);
    }

    [Fact]
    public async Task The_database_refuses_to_change_a_version()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("immutable", "original");
        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            app.ExecuteAsync("UPDATE prompts.prompt_versions SET template = 'tampered'"));
        Assert.Contains("immutable", error.MessageText);
        var version = await admin.GetJsonAsync("/api/v1/prompts/immutable/versions/1");
        Assert.Equal("original", (string?)version["template"]);
    }

    [Fact]
    public async Task Names_with_slashes_work_encoded_and_plain()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("team/support/triage");
        var plain = await admin.PostAsJsonAsync("/api/v1/prompts/team/support/triage/versions", new { template = "plain" });
        await plain.ReadJsonAsync(HttpStatusCode.Created);
        var encoded = await admin.GetJsonAsync("/api/v1/prompts/team%2Fsupport%2Ftriage/versions/1");
        Assert.Equal("plain", (string?)encoded["template"]);
        Assert.Equal("team/support/triage", (string?)encoded["name"]);
        var viaPlainPath = await admin.GetJsonAsync("/api/v1/prompts/team/support/triage");
        Assert.Equal(1, (int)viaPlainPath["latestVersion"]!);
        await (await admin.PutAsJsonAsync("/api/v1/prompts/team/support/triage/labels/production", new { version = 1 })).ReadJsonAsync(HttpStatusCode.OK);
        var history = await admin.GetJsonAsync("/api/v1/prompts/team/support/triage/labels/production/history");
        Assert.Equal(1, (int)history["total"]!);
    }
}

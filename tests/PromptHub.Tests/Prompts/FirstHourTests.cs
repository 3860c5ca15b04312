using System.Text.RegularExpressions;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Prompts;

/// <summary>What a newcomer meets in the first hour of uploads (issue 12): defaults, messages and logs that do not mislead.</summary>
public sealed partial class FirstHourTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task An_upload_without_config_keeps_the_previous_config_and_an_empty_one_clears_it()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("hour/config");
        await admin.UploadAsync("hour/config", new { template = "v1", config = new { model = "gpt-4o", temperature = 0.2 } });

        var kept = await admin.UploadAsync("hour/config", new { template = "v2" });
        Assert.Equal("gpt-4o", (string?)kept["config"]!["model"]);
        Assert.Equal(0.2, (double)kept["config"]!["temperature"]!);
        Assert.Equal("prompt", (string?)kept["changeType"]);

        // The same text again without config is the same content: nothing new.
        var same = await admin.UploadAsync("hour/config", new { template = "v2" }, HttpStatusCode.OK);
        Assert.Equal(2, (int)same["version"]!);

        var cleared = await admin.UploadAsync("hour/config", new { template = "v2", config = new { } });
        Assert.Equal(3, (int)cleared["version"]!);
        Assert.Equal("{}", cleared["config"]!.ToJsonString());
        Assert.Equal("config", (string?)cleared["changeType"]);
    }

    [Fact]
    public async Task CreatedAt_reads_the_same_in_the_creation_answer_and_in_every_later_read()
    {
        var admin = app.Admin();
        var prompt = await (await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "hour/time", type = "text" })).ReadJsonAsync(HttpStatusCode.Created);
        var version = await admin.UploadAsync("hour/time", new { template = "t" });
        var readPrompt = await admin.GetJsonAsync("/api/v1/prompts/hour%2Ftime");
        var readVersion = await admin.GetJsonAsync("/api/v1/prompts/hour%2Ftime/versions/1");
        Assert.Equal(Raw(prompt, "createdAt"), Raw(readPrompt, "createdAt"));
        Assert.Equal(Raw(version, "createdAt"), Raw(readVersion, "createdAt"));
        Assert.Matches(AtMostMicroseconds(), (string)version["createdAt"]!);

        var key = await (await admin.PostAsJsonAsync("/api/v1/keys", new { name = "timed", role = "reader" })).ReadJsonAsync(HttpStatusCode.Created);
        var listed = (await admin.GetJsonAsync("/api/v1/keys?pageSize=200"))["items"]!.AsArray().Single(k => (string?)k!["name"] == "timed")!;
        Assert.Equal(Raw(key, "createdAt"), Raw(listed, "createdAt"));

        static string Raw(JsonNode node, string field) => node[field]!.ToJsonString();
    }

    [Fact]
    public async Task Moving_latest_in_an_upload_names_the_label_once()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("hour/latest");
        var problem = await (await admin.PostAsJsonAsync("/api/v1/prompts/hour%2Flatest/versions", new { template = "x", labels = new[] { "latest" } }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        var message = Assert.Single(problem["errors"]!["labels"]!.AsArray())!.GetValue<string>();
        Assert.Single(Regex.Matches(message, "latest"));
        Assert.StartsWith("'latest' cannot be moved", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_include_is_a_422_with_errors_like_a_template_that_does_not_compile()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("hour/includer");
        var missing = await (await admin.PostAsJsonAsync("/api/v1/prompts/hour%2Fincluder/versions", new { template = "Hi {{ include 'hour/nowhere' }}" }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single(missing["errors"]!["template"]!.AsArray())!.GetValue<string>();
        Assert.Contains("'hour/nowhere'", error, StringComparison.Ordinal);

        await admin.CreatePromptAsync("hour/chat-includer", "chat");
        var inChat = await (await admin.PostAsJsonAsync("/api/v1/prompts/hour%2Fchat-includer/versions", new
        {
            messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "{{ include 'hour/nowhere' }}" } },
        })).ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(inChat["errors"]!["messages[1].content"]);

        var compile = await (await admin.PostAsJsonAsync("/api/v1/prompts/hour%2Fincluder/versions", new { template = "Hi {{ if x }}" }))
            .ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(compile["errors"]!["template"]);
    }

    [Fact]
    public async Task A_duplicate_prompt_name_is_a_409_logged_as_one_information_line_without_a_stack_trace()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("hour/duplicate");
        var marker = app.Logs.Lines.Count;
        await (await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "hour/duplicate", type = "text" })).ReadProblemAsync(HttpStatusCode.Conflict);
        await Task.Delay(200); // the request line is written as the response completes
        var lines = app.Logs.Lines.Skip(marker).ToList();
        Assert.DoesNotContain(lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
        var line = Assert.Single(lines, l => l.Contains("/api/v1/prompts", StringComparison.Ordinal));
        Assert.StartsWith("Information", line, StringComparison.Ordinal);
        Assert.Contains("409", line, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|\+00:00)$")]
    private static partial Regex AtMostMicroseconds();
}

namespace PromptHub.Tests.Prompts;

public sealed class PromptTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task An_admin_creates_a_prompt_and_reads_it_back()
    {
        var admin = app.Admin();
        var created = await admin.PostAsJsonAsync("/api/v1/prompts",
            new { name = "create/basic", type = "text", description = "Says hello", tags = new[] { "greeting", "team:growth" } });
        var body = await created.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("/api/v1/prompts/create%2Fbasic", created.Headers.Location?.OriginalString);
        Assert.Equal("create/basic", (string?)body["name"]);
        Assert.Equal("text", (string?)body["type"]);
        Assert.Null(body["latestVersion"]);

        var read = await (await admin.GetAsync("/api/v1/prompts/create%2Fbasic")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Says hello", (string?)read["description"]);
        Assert.Equal(["greeting", "team:growth"], read["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Null(read["latest"]);
    }

    [Fact]
    public async Task A_second_prompt_with_the_same_name_is_a_conflict()
    {
        var admin = app.Admin();
        await (await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "dupe", type = "text" })).ReadJsonAsync(HttpStatusCode.Created);
        var again = await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "dupe", type = "chat" });
        var problem = await again.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("dupe", (string?)problem["detail"]);
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'dupe'"));
    }

    [Fact]
    public async Task The_list_filters_by_tag_and_search_and_pages()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("list/alpha", tags: ["billing"], description: "Refund policy answers");
        await admin.CreatePromptAsync("list/beta", tags: ["billing", "vip"]);
        await admin.CreatePromptAsync("list/gamma", tags: ["support"]);
        await admin.CreateTextPromptAsync("list/delta", "v1");
        await admin.ActivateAsync("list/delta", "production", 1);

        var billing = await admin.GetJsonAsync("/api/v1/prompts?tag=billing");
        Assert.Equal(["list/alpha", "list/beta"], billing["items"]!.AsArray().Select(p => (string)p!["name"]!));

        var refund = await admin.GetJsonAsync("/api/v1/prompts?search=REFUND");
        Assert.Equal("list/alpha", (string?)refund["items"]!.AsArray().Single()!["name"]);
        var underscore = await admin.GetJsonAsync("/api/v1/prompts?search=%25_");
        Assert.Equal(0, (int)underscore["total"]!); // % and _ are matched literally

        var page = await admin.GetJsonAsync("/api/v1/prompts?search=list%2F&pageSize=2&page=2");
        Assert.Equal(4, (int)page["total"]!);
        Assert.Equal(2, (int)page["page"]!);
        Assert.Equal(["list/delta", "list/gamma"], page["items"]!.AsArray().Select(p => (string)p!["name"]!).Order());

        var delta = (await admin.GetJsonAsync("/api/v1/prompts?search=delta"))["items"]![0]!;
        Assert.Equal(1, (int)delta["labels"]!["production"]!);
        Assert.Equal(1, (int)delta["latestVersion"]!);
    }

    [Fact]
    public async Task Archiving_hides_a_prompt_and_frees_its_name()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("archived", "old text");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/prompts/archived")).StatusCode);

        await (await admin.GetAsync("/api/v1/prompts/archived")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/v1/prompts/archived/versions/1")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.DeleteAsync("/api/v1/prompts/archived")).ReadProblemAsync(HttpStatusCode.NotFound);
        var list = await admin.GetJsonAsync("/api/v1/prompts?search=archived");
        Assert.Equal(0, (int)list["total"]!);
        // The rows are kept (soft delete), and the name can be used again.
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'archived'"));
        await admin.CreateTextPromptAsync("archived", "new text");
        var fresh = await admin.GetJsonAsync("/api/v1/prompts/archived/versions/latest");
        Assert.Equal(1, (int)fresh["version"]!);
        Assert.Equal("new text", (string?)fresh["template"]);

        var reader = app.As(await app.CreateKeyAsync("reader"));
        await (await reader.DeleteAsync("/api/v1/prompts/archived")).ReadProblemAsync(HttpStatusCode.Forbidden);
    }
}

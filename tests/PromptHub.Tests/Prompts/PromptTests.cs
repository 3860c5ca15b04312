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
}

namespace PromptHub.Tests.Prompts;

public sealed class LabelTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Activation_moves_production_and_records_who_why_and_from_where()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("activate", "v1", "v2", "v3");

        var first = await admin.ActivateAsync("activate", "production", 1, "launch");
        Assert.Equal(1, (int)first["version"]!);
        Assert.Null(first["previousVersion"]);
        Assert.True((bool)first["changed"]!);

        var second = await admin.ActivateAsync("activate", "production", 3, "better wording");
        Assert.Equal(3, (int)second["version"]!);
        Assert.Equal(1, (int)second["previousVersion"]!);

        var prompt = await admin.GetJsonAsync("/api/v1/prompts/activate");
        Assert.Equal(3, (int)prompt["labels"]!["production"]!);

        var history = await admin.GetJsonAsync("/api/v1/prompts/activate/labels/production/history");
        var moves = history["items"]!.AsArray();
        Assert.Equal(2, moves.Count);
        Assert.Equal(1, (int)moves[0]!["fromVersion"]!);
        Assert.Equal(3, (int)moves[0]!["toVersion"]!);
        Assert.Equal("activate", (string?)moves[0]!["action"]);
        Assert.Equal("better wording", (string?)moves[0]!["reason"]);
        Assert.Equal("admin", (string?)moves[0]!["actor"]);
        Assert.Null(moves[1]!["fromVersion"]);
    }

    [Fact]
    public async Task Activating_the_current_target_again_records_nothing()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("idempotent", "v1");
        await admin.ActivateAsync("idempotent", "production", 1);
        var again = await admin.ActivateAsync("idempotent", "production", 1);
        Assert.False((bool)again["changed"]!);
        var history = await admin.GetJsonAsync("/api/v1/prompts/idempotent/labels/production/history");
        Assert.Equal(1, (int)history["total"]!);
    }

    [Fact]
    public async Task Rollback_undoes_activations_one_by_one_then_answers_409()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("rollback", "v1", "v2", "v3");
        await admin.ActivateAsync("rollback", "production", 1);
        await admin.ActivateAsync("rollback", "production", 2);
        await admin.ActivateAsync("rollback", "production", 3);

        var back = await (await admin.PostAsJsonAsync("/api/v1/prompts/rollback/labels/production/rollback", new { reason = "v3 hurts conversion" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)back["version"]!);
        Assert.Equal(3, (int)back["previousVersion"]!);
        Assert.Equal("rollback", (string?)back["move"]!["action"]);
        Assert.Equal("v3 hurts conversion", (string?)back["move"]!["reason"]);

        // No body at all is fine too.
        var again = await (await admin.PostAsync("/api/v1/prompts/rollback/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)again["version"]!);

        var none = await admin.PostAsJsonAsync("/api/v1/prompts/rollback/labels/production/rollback", new { });
        await none.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, (int)(await admin.GetJsonAsync("/api/v1/prompts/rollback"))["labels"]!["production"]!);
    }

    [Fact]
    public async Task A_rollback_after_a_new_activation_returns_to_the_target_before_it()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("rollback2", "v1", "v2", "v3");
        await admin.ActivateAsync("rollback2", "production", 1);
        await admin.ActivateAsync("rollback2", "production", 2);
        await (await admin.PostAsync("/api/v1/prompts/rollback2/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK); // → 1
        await admin.ActivateAsync("rollback2", "production", 3);                                                                        // 1 → 3
        var back = await (await admin.PostAsync("/api/v1/prompts/rollback2/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)back["version"]!);
    }

    [Fact]
    public async Task An_upload_can_move_labels_in_the_same_step()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("upload-labels");
        var v1 = await admin.UploadAsync("upload-labels", new { template = "one", labels = new[] { "production", "staging" }, commitMessage = "go live" });
        Assert.Equal(["production", "staging", "latest"], v1["labels"]!.AsArray().Select(l => (string)l!));
        await admin.UploadAsync("upload-labels", new { template = "two", labels = new[] { "staging" } });
        var prompt = await admin.GetJsonAsync("/api/v1/prompts/upload-labels");
        Assert.Equal(1, (int)prompt["labels"]!["production"]!);
        Assert.Equal(2, (int)prompt["labels"]!["staging"]!);
        var history = await admin.GetJsonAsync("/api/v1/prompts/upload-labels/labels/production/history");
        Assert.Equal("go live", (string?)history["items"]![0]!["reason"]);
    }

    [Fact]
    public async Task Unknown_versions_and_labels_and_the_latest_label_are_refused()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("refusals", "v1");
        await (await admin.PutAsJsonAsync("/api/v1/prompts/refusals/labels/production", new { version = 7 })).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PutAsJsonAsync("/api/v1/prompts/refusals/labels/latest", new { version = 1 })).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsync("/api/v1/prompts/refusals/labels/staging/rollback", null)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await admin.GetAsync("/api/v1/prompts/refusals/labels/staging/history")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.label_moves m JOIN prompts.prompts p ON p.id = m.prompt_id WHERE p.name = 'refusals'"));
    }

    [Fact]
    public async Task A_reader_reads_labels_but_cannot_move_them()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("reader-labels", "v1", "v2");
        await admin.ActivateAsync("reader-labels", "production", 1);
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await reader.GetJsonAsync("/api/v1/prompts/reader-labels/labels/production/history");
        await (await reader.PutAsJsonAsync("/api/v1/prompts/reader-labels/labels/production", new { version = 2 })).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await reader.PostAsync("/api/v1/prompts/reader-labels/labels/production/rollback", null)).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(1, (int)(await admin.GetJsonAsync("/api/v1/prompts/reader-labels"))["labels"]!["production"]!);
    }
}

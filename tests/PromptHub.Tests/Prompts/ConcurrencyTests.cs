namespace PromptHub.Tests.Prompts;

public sealed class ConcurrencyTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Fifty_concurrent_uploads_get_versions_one_to_fifty()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("concurrent/uploads");
        var uploads = Enumerable.Range(0, 50).Select(i =>
            admin.PostAsJsonAsync("/api/v1/prompts/concurrent%2Fuploads/versions", new { template = $"wording {i}" }));
        var responses = await Task.WhenAll(uploads);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var numbers = new List<int>();
        foreach (var response in responses) numbers.Add((int)(await response.ReadJsonAsync(HttpStatusCode.Created))["version"]!);
        Assert.Equal(Enumerable.Range(1, 50), numbers.Order());

        var stored = await app.ScalarAsync<string>(
            "SELECT string_agg(version::text, ',' ORDER BY version) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'concurrent/uploads'");
        Assert.Equal(string.Join(',', Enumerable.Range(1, 50)), stored);
        // Each version's parent is the one before it: no two uploads saw the same latest.
        Assert.Equal(0, await app.ScalarAsync<long>(
            "SELECT count(*) FROM prompts.prompt_versions v JOIN prompts.prompts p ON p.id = v.prompt_id WHERE p.name = 'concurrent/uploads' AND v.parent_version IS DISTINCT FROM NULLIF(v.version - 1, 0)"));
    }

    [Fact]
    public async Task Fifty_concurrent_activations_leave_one_target_and_an_unbroken_history()
    {
        var admin = app.Admin();
        await admin.CreatePromptAsync("concurrent/labels");
        for (var i = 1; i <= 50; i++) await admin.UploadAsync("concurrent/labels", new { template = $"wording {i}" });

        var activations = Enumerable.Range(1, 50).Select(v =>
            admin.PutAsJsonAsync("/api/v1/prompts/concurrent%2Flabels/labels/production", new { version = v, reason = $"try {v}" }));
        var responses = await Task.WhenAll(activations);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var history = await admin.GetJsonAsync("/api/v1/prompts/concurrent%2Flabels/labels/production/history?pageSize=200");
        var moves = history["items"]!.AsArray().Reverse().ToList(); // oldest first
        Assert.Equal(50, moves.Count);
        Assert.Null(moves[0]!["fromVersion"]);
        for (var i = 1; i < moves.Count; i++)
        {
            Assert.Equal((int)moves[i - 1]!["toVersion"]!, (int)moves[i]!["fromVersion"]!);
        }
        Assert.Equal(Enumerable.Range(1, 50), moves.Select(m => (int)m!["toVersion"]!).Order());

        var prompt = await admin.GetJsonAsync("/api/v1/prompts/concurrent%2Flabels");
        Assert.Equal((int)moves[^1]!["toVersion"]!, (int)prompt["labels"]!["production"]!);
        Assert.Equal(1, await app.ScalarAsync<long>(
            "SELECT count(*) FROM prompts.labels l JOIN prompts.prompts p ON p.id = l.prompt_id WHERE p.name = 'concurrent/labels' AND l.name = 'production'"));
    }
}

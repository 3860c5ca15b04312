namespace PromptHub.Tests.Access;

/// <summary>The app as a newcomer runs it: new projects get example prompts.</summary>
public sealed class ExamplesApp : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["PromptHub:SeedExamples"] = "true" };
}

public sealed class ExampleProjectTests(ExamplesApp app) : IClassFixture<ExamplesApp>
{
    [Fact]
    public async Task A_new_project_starts_with_example_prompts_already_in_production()
    {
        foreach (var admin in new[] { app.Admin(), app.As(await app.CreateProjectAsync("with-examples")) })
        {
            var list = await (await admin.GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK);
            var names = list["items"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
            Assert.Equal(["examples/greeting", "examples/support/triage"], names);
            var greeting = await (await admin.GetAsync("/api/v1/prompts/examples%2Fgreeting")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(2, (int)greeting["labels"]!["production"]!);
            Assert.Equal(["company", "name"], greeting["latest"]!["variables"]!.AsArray().Select(v => (string)v!));
        }
    }
}

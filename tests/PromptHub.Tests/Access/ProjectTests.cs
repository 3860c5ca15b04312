using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Access;

namespace PromptHub.Tests.Access;

public sealed class ProjectTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task The_configured_bootstrap_key_is_the_admin_of_project_default()
    {
        var current = await (await app.Admin().GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("default", (string?)current["slug"]);
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM access.projects"));
    }

    [Fact]
    public async Task Creating_a_project_returns_its_first_admin_key()
    {
        var created = await (await app.Admin().PostAsJsonAsync("/api/v1/projects", new { slug = "research", name = "Research" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("research", (string?)created["slug"]);
        Assert.Equal("admin", (string?)created["adminKey"]!["role"]);
        var secret = (string)created["adminKey"]!["secret"]!;

        var current = await (await app.As(secret).GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("research", (string?)current["slug"]);
        Assert.Equal("Research", (string?)current["name"]);
        // A new project starts empty (example prompts are off in tests).
        var prompts = await (await app.As(secret).GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, (int)prompts["total"]!);

        var again = await app.Admin().PostAsJsonAsync("/api/v1/projects", new { slug = "research", name = "Again" });
        await again.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Only_admins_create_projects_and_every_key_reads_its_own()
    {
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await (await reader.PostAsJsonAsync("/api/v1/projects", new { slug = "nope", name = "Nope" })).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("default", (string?)(await (await reader.GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK))["slug"]);
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM access.projects WHERE slug = 'nope'"));
    }

    [Fact]
    public async Task The_create_admin_key_command_adds_an_admin_key_or_a_new_project()
    {
        var before = await app.ScalarAsync<long>("SELECT count(*) FROM access.api_keys WHERE role = 'admin'");
        Assert.Equal(0, await Bootstrap.CreateAdminKeyAsync(app.Services, ["create-admin-key", "--project", "default"], CancellationToken.None));
        Assert.Equal(0, await Bootstrap.CreateAdminKeyAsync(app.Services, ["create-admin-key", "--project", "from-cli"], CancellationToken.None));
        Assert.Equal(before + 2, await app.ScalarAsync<long>("SELECT count(*) FROM access.api_keys WHERE role = 'admin'"));
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM access.projects WHERE slug = 'from-cli'"));
        Assert.Equal(2, await Bootstrap.CreateAdminKeyAsync(app.Services, ["create-admin-key", "--project", "Not A Slug"], CancellationToken.None));
    }
}

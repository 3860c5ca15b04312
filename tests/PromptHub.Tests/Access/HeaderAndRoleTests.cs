using System.Net.Http.Headers;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Access;

/// <summary>A malformed Authorization header says what is wrong with it; ops keys read what DESIGN.md lets them watch.</summary>
public sealed class HeaderAndRoleTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("{key}", "does not start with 'Bearer '")]
    [InlineData("Bearer Bearer {key}", "says 'Bearer' twice")]
    [InlineData("Bearer", "has no key after 'Bearer'")]
    [InlineData("Token {key}", "does not start with 'Bearer '")]
    [InlineData("Bearer phk_no_such_key_0123456789", "invalid or has been revoked")]
    public async Task A_refused_header_is_answered_with_what_is_wrong_and_never_echoed(string header, string expected)
    {
        using var client = app.Anonymous();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/prompts");
        request.Headers.TryAddWithoutValidation("Authorization", header.Replace("{key}", app.AdminSecret, StringComparison.Ordinal));
        var response = await client.SendAsync(request);
        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        var detail = (string)problem["detail"]!;
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(app.AdminSecret, detail, StringComparison.Ordinal);
        if (!expected.Contains("revoked", StringComparison.Ordinal)) Assert.DoesNotContain("revoked", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_location_of_a_new_project_is_that_project_for_its_own_key_and_404_for_others()
    {
        var response = await app.Admin().PostAsJsonAsync("/api/v1/projects", new { slug = "located", name = "Located" });
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("/api/v1/projects/located", response.Headers.Location?.OriginalString);

        var own = app.As((string)created["adminKey"]!["secret"]!);
        var read = await own.GetJsonAsync(response.Headers.Location!.OriginalString);
        Assert.Equal("located", (string?)read["slug"]);
        Assert.Equal((string?)created["id"], (string?)read["id"]);

        // The creator's key belongs to `default`: another project's address is 404, as for all its data.
        await (await app.Admin().GetAsync("/api/v1/projects/located")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("default", (string?)(await app.Admin().GetJsonAsync("/api/v1/projects/default"))["slug"]);
        await (await app.Admin().PostAsJsonAsync("/api/v1/projects", new { slug = "current", name = "Current" })).ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("NOT_A_SLUG")]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("a-slug-far-too-long-for-any-project-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_malformed_project_slug_is_a_400_that_does_not_echo_it(string slug)
    {
        var response = await app.Admin().GetAsync($"/api/v1/projects/{slug}");
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]?["slug"]);
        Assert.DoesNotContain(Uri.UnescapeDataString(slug), problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ops_key_reads_its_project_notifications_and_analytics_but_changes_nothing()
    {
        var ops = app.As(await app.CreateKeyAsync("ops", "watcher"));
        Assert.Equal("default", (string?)(await ops.GetJsonAsync("/api/v1/projects/current"))["slug"]);
        Assert.NotNull((await ops.GetJsonAsync("/api/v1/notifications"))["items"]);
        Assert.NotNull((await ops.GetJsonAsync("/api/v1/notifications/settings"))["enabled"]);
        await ops.GetJsonAsync("/api/v1/analytics/overview");

        await (await ops.PostAsJsonAsync("/api/v1/notifications/test", new { })).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await ops.PostAsJsonAsync("/api/v1/projects", new { slug = "by-ops", name = "No" })).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await ops.PostAsJsonAsync("/api/v1/keys", new { name = "more", role = "admin" })).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await ops.GetAsync("/api/v1/prompts")).ReadProblemAsync(HttpStatusCode.Forbidden);
        var from = DateOnly.FromDateTime(DateTime.UtcNow).ToString("O");
        await (await ops.PostAsJsonAsync("/api/v1/analytics/backfill", new { from, to = from })).ReadProblemAsync(HttpStatusCode.Forbidden);

        // A reader key (an LLM service) does not see the outbox.
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await (await reader.GetAsync("/api/v1/notifications")).ReadProblemAsync(HttpStatusCode.Forbidden);
    }
}

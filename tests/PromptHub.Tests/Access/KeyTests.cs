namespace PromptHub.Tests.Access;

public sealed class KeyTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task An_admin_creates_a_reader_key_whose_secret_is_shown_once()
    {
        var created = await (await app.Admin().PostAsJsonAsync("/api/v1/keys", new { name = "checkout-service", role = "reader" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var secret = (string)created["secret"]!;
        Assert.StartsWith("phk_", secret);
        Assert.True(secret.Length >= 40);
        Assert.Equal("reader", (string?)created["role"]);

        var list = await (await app.Admin().GetAsync("/api/v1/keys?pageSize=200")).Content.ReadAsStringAsync();
        Assert.Contains("checkout-service", list);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain("secret", list, StringComparison.OrdinalIgnoreCase);
        // Stored only as its SHA-256: the row holds the hash, and no column holds the secret.
        Assert.Equal(1, await app.ScalarAsync<long>($"SELECT count(*) FROM access.api_keys WHERE secret_hash = sha256(convert_to('{secret}', 'UTF8'))"));
        Assert.Equal(0, await app.ScalarAsync<long>($"SELECT count(*) FROM access.api_keys k WHERE k::text LIKE '%{secret[4..]}%'"));

        var reader = app.As(secret);
        await (await reader.GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Roles_decide_what_a_key_may_do()
    {
        var reader = app.As(await app.CreateKeyAsync("reader"));
        var ops = app.As(await app.CreateKeyAsync("ops"));

        var write = await reader.PostAsJsonAsync("/api/v1/prompts", new { name = "not-allowed", type = "text" });
        var problem = await write.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("reader", (string?)problem["detail"]);
        await (await reader.PostAsJsonAsync("/api/v1/keys", new { name = "x", role = "admin" })).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await reader.GetAsync("/api/v1/keys")).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await ops.GetAsync("/api/v1/prompts")).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await ops.PostAsJsonAsync("/api/v1/prompts", new { name = "not-allowed", type = "text" })).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.prompts WHERE name = 'not-allowed'"));
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_unauthorized()
    {
        var none = await app.Anonymous().GetAsync("/api/v1/prompts");
        var problem = await none.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer", (string?)problem["detail"]);

        await (await app.As("phk_this-key-does-not-exist-anywhere-at-all").GetAsync("/api/v1/prompts")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var basic = app.Anonymous();
        basic.DefaultRequestHeaders.Add("Authorization", "Basic " + Convert.ToBase64String("a:b"u8.ToArray()));
        await (await basic.GetAsync("/api/v1/prompts")).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_and_shows_as_revoked()
    {
        var created = await (await app.Admin().PostAsJsonAsync("/api/v1/keys", new { name = "to-revoke", role = "reader" })).ReadJsonAsync(HttpStatusCode.Created);
        var client = app.As((string)created["secret"]!);
        await (await client.GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK); // now cached

        var revoked = await (await app.Admin().DeleteAsync($"/api/v1/keys/{created["id"]}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotNull(revoked["revokedAt"]);
        await (await client.GetAsync("/api/v1/prompts")).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var list = await (await app.Admin().GetAsync("/api/v1/keys?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK);
        var entry = list["items"]!.AsArray().Single(k => (string?)k!["id"] == (string?)created["id"]);
        Assert.NotNull(entry!["revokedAt"]);

        await (await app.Admin().DeleteAsync($"/api/v1/keys/{Guid.NewGuid()}")).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_last_admin_key_of_a_project_cannot_be_revoked()
    {
        var adminSecret = await app.CreateProjectAsync("last-admin");
        var admin = app.As(adminSecret);
        var keys = await (await admin.GetAsync("/api/v1/keys")).ReadJsonAsync(HttpStatusCode.OK);
        var onlyAdmin = (string)keys["items"]![0]!["id"]!;
        await (await admin.DeleteAsync($"/api/v1/keys/{onlyAdmin}")).ReadProblemAsync(HttpStatusCode.Conflict);

        var second = await (await admin.PostAsJsonAsync("/api/v1/keys", new { name = "second admin", role = "admin" })).ReadJsonAsync(HttpStatusCode.Created);
        await (await admin.DeleteAsync($"/api/v1/keys/{onlyAdmin}")).ReadJsonAsync(HttpStatusCode.OK);
        await (await admin.GetAsync("/api/v1/keys")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await app.As((string)second["secret"]!).DeleteAsync($"/api/v1/keys/{second["id"]}")).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Last_used_is_recorded_when_a_key_is_used()
    {
        var created = await (await app.Admin().PostAsJsonAsync("/api/v1/keys", new { name = "usage", role = "reader" })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.Null(created["lastUsedAt"]);
        await (await app.As((string)created["secret"]!).GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK);

        await HttpAssertions.EventuallyAsync(async () =>
        {
            var list = await (await app.Admin().GetAsync("/api/v1/keys?pageSize=200")).ReadJsonAsync(HttpStatusCode.OK);
            var entry = list["items"]!.AsArray().Single(k => (string?)k!["id"] == (string?)created["id"]);
            Assert.NotNull(entry!["lastUsedAt"]);
        });
    }
}

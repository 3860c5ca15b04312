using PromptHub.Platform.Database;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Serving;

/// <summary>Two instances on a PostgreSQL cluster of their own, which the tests stop and start again.</summary>
public sealed class OwnCluster : IAsyncLifetime
{
    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("prompthub-outage-");
    public LocalPostgres Postgres { get; private set; } = null!;
    public AppFactory First { get; private set; } = null!;
    public AppFactory Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = LocalPostgres.Start(Path.Combine(_folder.FullName, "pg"), "outage", throwaway: true);
        await TestDatabase.MigrateAsync(Postgres.ConnectionString);
        var adminSecret = "outage-admin-" + Guid.NewGuid().ToString("N");
        First = AppFactory.On(Postgres.ConnectionString, adminSecret);
        Second = AppFactory.On(Postgres.ConnectionString, adminSecret);
        await First.WaitForChangeFeedAsync();
        await Second.WaitForChangeFeedAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        Postgres.Dispose();
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed class OutageTests(OwnCluster cluster) : IClassFixture<OwnCluster>
{
    [Fact]
    public async Task While_the_database_is_down_prompts_are_served_from_memory_and_writes_answer_503_then_all_recovers()
    {
        var first = cluster.First.Admin();
        var second = cluster.Second.Admin();
        await first.CreateTextPromptAsync("outage/answer", "one", "two", "three");
        await first.ActivateAsync("outage/answer", "production", 1);
        await first.CreatePromptAsync("outage/chat", "chat");
        await first.UploadAsync("outage/chat", new { messages = new[] { new { role = "user", content = "Hi {{name}}" } }, labels = new[] { "production" } });
        foreach (var client in new[] { first, second })
        {
            Assert.Equal(1, await client.ResolvedVersionAsync("outage/answer"));
            await (await client.RenderAsync("outage/chat", new { variables = new { name = "Ann" } })).ReadJsonAsync(HttpStatusCode.OK);
        }

        cluster.Postgres.StopServer();
        try
        {
            foreach (var client in new[] { first, second })
            {
                await HttpAssertions.EventuallyAsync(async () =>
                {
                    var resolved = await client.GetAsync("/api/v1/prompts/outage%2Fanswer/resolve");
                    Assert.Equal(1, (int)(await resolved.ReadJsonAsync(HttpStatusCode.OK))["version"]!);
                    Assert.Equal("true", resolved.Headers.GetValues("PromptHub-Stale").Single());
                });
                var rendered = await client.RenderAsync("outage/chat", new { variables = new { name = "Bo" } });
                Assert.Equal("Hi Bo", (string?)(await rendered.ReadJsonAsync(HttpStatusCode.OK))["messages"]![0]!["content"]);

                var write = await client.PutAsJsonAsync("/api/v1/prompts/outage%2Fanswer/labels/production", new { version = 2 });
                var problem = await write.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
                Assert.Contains("database", (string?)problem["detail"]);
                Assert.NotNull(write.Headers.RetryAfter);
                await (await client.GetAsync("/api/v1/prompts/outage%2Fnever-cached/resolve")).ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            }
        }
        finally
        {
            cluster.Postgres.StartServer();
        }

        // Back: writes work again without a restart, and an activation reaches the other instance.
        await HttpAssertions.EventuallyAsync(async () =>
            await first.ActivateAsync("outage/answer", "production", 3), TimeSpan.FromSeconds(20));
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var resolved = await second.GetAsync("/api/v1/prompts/outage%2Fanswer/resolve");
            Assert.Equal(3, (int)(await resolved.ReadJsonAsync(HttpStatusCode.OK))["version"]!);
            Assert.False(resolved.Headers.Contains("PromptHub-Stale"));
        }, TimeSpan.FromSeconds(10));
        await first.ActivateAsync("outage/answer", "production", 2);
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal(2, await second.ResolvedVersionAsync("outage/answer")), TimeSpan.FromSeconds(1));
    }
}

using System.Diagnostics;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Serving;

/// <summary>Two instances of the app on one database, as behind a load balancer.</summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public AppFactory First { get; } = new();
    public AppFactory Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        Second = AppFactory.Joining(First);
        await First.WaitForChangeFeedAsync();
        await Second.WaitForChangeFeedAsync();
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await ((IAsyncLifetime)First).DisposeAsync();
    }
}

public sealed class ClusterTests(TwoInstances cluster) : IClassFixture<TwoInstances>
{
    /// <summary>How long until <paramref name="client"/> serves <paramref name="expected"/> (fails after 1 s).</summary>
    static async Task<TimeSpan> SeenWithinASecondAsync(HttpClient client, string name, int expected)
    {
        var clock = Stopwatch.StartNew();
        while (await client.ResolvedVersionAsync(name) != expected)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the other instance still serves the old version after {clock.ElapsedMilliseconds} ms");
            await Task.Delay(5);
        }
        return clock.Elapsed;
    }

    [Fact]
    public async Task An_activation_and_a_rollback_on_one_instance_are_served_by_the_other_within_a_second()
    {
        var first = cluster.First.Admin();
        var second = cluster.Second.Admin();
        await first.CreateTextPromptAsync("cluster/propagate", "one", "two", "three");
        await first.ActivateAsync("cluster/propagate", "production", 1);
        Assert.Equal(1, await second.ResolvedVersionAsync("cluster/propagate")); // now cached on the second instance

        await first.ActivateAsync("cluster/propagate", "production", 3);
        await SeenWithinASecondAsync(second, "cluster/propagate", 3);

        await (await first.PostAsync("/api/v1/prompts/cluster%2Fpropagate/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);
        await SeenWithinASecondAsync(second, "cluster/propagate", 1);

        // And the other way round.
        await second.ActivateAsync("cluster/propagate", "production", 2);
        await SeenWithinASecondAsync(first, "cluster/propagate", 2);
    }

    [Fact]
    public async Task A_key_revoked_on_one_instance_is_refused_by_the_other_within_a_second()
    {
        var created = await (await cluster.First.Admin().PostAsJsonAsync("/api/v1/keys", new { name = "revoked-everywhere", role = "reader" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        var onSecond = cluster.Second.As((string)created["secret"]!);
        await (await onSecond.GetAsync("/api/v1/prompts")).ReadJsonAsync(HttpStatusCode.OK); // cached there

        await (await cluster.First.Admin().DeleteAsync($"/api/v1/keys/{created["id"]}")).ReadJsonAsync(HttpStatusCode.OK);
        await HttpAssertions.EventuallyAsync(async () =>
            Assert.Equal(HttpStatusCode.Unauthorized, (await onSecond.GetAsync("/api/v1/prompts")).StatusCode), TimeSpan.FromSeconds(1));
    }
}

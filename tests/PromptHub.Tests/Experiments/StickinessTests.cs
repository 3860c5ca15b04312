using System.Diagnostics;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Experiments;

/// <summary>Assignment is a pure function of (seed, subject): every instance, and the same instance after a restart, agree.</summary>
public sealed class StickinessTests(TwoInstances cluster) : IClassFixture<TwoInstances>
{
    static async Task<List<string>> VariantsAsync(HttpClient client, IEnumerable<string> subjects)
    {
        var variants = new List<string>();
        foreach (var subject in subjects) variants.Add((string)(await client.ResolveAsync("sticky/p", $"?subject={subject}"))["experiment"]!["variant"]!);
        return variants;
    }

    [Fact]
    public async Task Subjects_get_the_same_variant_on_every_instance_and_after_a_restart()
    {
        var first = cluster.First.Admin();
        var second = cluster.Second.Admin();
        await first.PromptInProductionAsync("sticky/p", 3);
        await first.RunAsync(new
        {
            key = "sticky",
            prompt = "sticky/p",
            variants = new object[]
            {
                new { name = "control", version = 1, weight = 20 },
                new { name = "b", version = 2, weight = 30 },
                new { name = "c", version = 3, weight = 50 },
            },
        });
        var subjects = Enumerable.Range(0, 60).Select(i => $"visitor-{i}").ToList();

        // The second instance learns of the start through the change feed, within a second.
        var clock = Stopwatch.StartNew();
        while ((await second.ResolveAsync("sticky/p", "?subject=visitor-0"))["experiment"] is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the second instance still serves no experiment after a second");
            await Task.Delay(5);
        }
        var onFirst = await VariantsAsync(first, subjects);
        Assert.Equal(onFirst, await VariantsAsync(second, subjects));
        Assert.Equal(onFirst, await VariantsAsync(first, subjects)); // and again, on the same instance
        Assert.Equal(3, onFirst.Distinct().Count());

        // A restarted instance (a new process on the same database) computes the same.
        await using (var restarted = AppFactory.On(cluster.First.ConnectionString, cluster.First.AdminSecret))
        {
            Assert.Equal(onFirst, await VariantsAsync(restarted.Admin(), subjects));
        }

        // A stop on one instance is served by the other within a second.
        await (await first.StopAsync("sticky", promote: "c")).ReadJsonAsync(HttpStatusCode.OK);
        clock.Restart();
        while ((await second.ResolveAsync("sticky/p", "?subject=visitor-0"))["experiment"] is not null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the second instance still serves the experiment a second after its stop");
            await Task.Delay(5);
        }
        Assert.Equal(3, await second.ResolvedVersionAsync("sticky/p", "?subject=visitor-0"));
    }
}

using PromptHub.Client;
using PromptHub.Modules.Experiments;
using PromptHub.Tests.Experiments;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Client;

public sealed class AssignmentParityTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("checkout-2026")]
    [InlineData("support/triage:concise")]
    [InlineData("ünïcødé ☃ seed")]
    public void The_clients_bucket_function_equals_the_servers_for_10000_subjects(string seed)
    {
        int[][] weightSets = [[50, 50], [10, 90], [20, 30, 50], [1, 1, 98], [100]];
        for (var i = 0; i < 10_000; i++)
        {
            var subject = i % 3 == 0 ? $"user-{i}" : i % 3 == 1 ? Guid.NewGuid().ToString() : $"账户-{i}-é";
            var bucket = Assignment.Bucket(seed, subject);
            Assert.Equal(bucket, VariantAssignment.Bucket(seed, subject));
            foreach (var weights in weightSets) Assert.Equal(Assignment.VariantOf(bucket, weights), VariantAssignment.VariantOf(bucket, weights));
        }
    }

    [Fact]
    public async Task A_cached_prompt_assigns_10000_subjects_to_the_variants_the_server_resolves_for_them_without_a_round_trip()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("client/experiment", versions: 3);
        await admin.RunAsync(new
        {
            key = "client-three-way",
            prompt = "client/experiment",
            label = "production",
            seed = "three-way-seed",
            variants = new object[]
            {
                new { name = "control", version = 1, weight = 20 },
                new { name = "short", version = 2, weight = 30 },
                new { name = "long", version = 3, weight = 50 },
            },
        });
        var reader = await app.CreateKeyAsync("reader");
        var server = app.As(reader);
        await using var client = await ClientHost.StartAsync(app, reader);
        await client.Hub.GetPromptAsync("client/experiment");
        var requests = client.Responses.Count;

        var subjects = Enumerable.Range(0, 10_000).Select(i => $"customer-{i}").ToArray();
        var local = new Dictionary<string, (int?, string?, string?)>();
        foreach (var subject in subjects)
        {
            var prompt = await client.Hub.GetPromptAsync("client/experiment", subject: subject);
            Assert.Equal(PromptSource.Cache, prompt.Source);
            local[subject] = (prompt.Version, prompt.Experiment?.Key, prompt.Experiment?.Variant);
        }
        Assert.Equal(requests, client.Responses.Count);

        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, (int?, string?, string?)>();
        await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (subject, _) =>
        {
            var resolved = await server.ResolveAsync("client/experiment", $"?subject={Uri.EscapeDataString(subject)}");
            answers[subject] = ((int)resolved["version"]!, (string?)resolved["experiment"]?["key"], (string?)resolved["experiment"]?["variant"]);
        });
        var mismatches = subjects.Where(s => local[s] != answers[s]).ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} subjects differ, e.g. {mismatches.FirstOrDefault()}");
        // Every variant got subjects (the weights are 20/30/50).
        Assert.Equal(["control", "long", "short"], local.Values.Select(v => v.Item3!).Distinct().Order());

        // Without a subject, the label's target as the server gives it.
        var plain = await client.Hub.GetPromptAsync("client/experiment");
        Assert.Equal(1, plain.Version);
        Assert.Null(plain.Experiment);
    }

    [Fact]
    public async Task A_rollout_step_is_picked_up_at_the_next_refresh_and_assigns_as_the_server_at_each_share()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("client/rollout", versions: 2);
        await (await admin.RolloutAsync("client/rollout", new { version = 2, percent = 25 })).ReadJsonAsync(HttpStatusCode.Created);
        var reader = await app.CreateKeyAsync("reader");
        var server = app.As(reader);
        var ttl = TimeSpan.FromMilliseconds(200);
        await using var client = await ClientHost.StartAsync(app, reader, o => o.CacheTtl = ttl);
        var subjects = Enumerable.Range(0, 2_000).Select(i => $"rollout-{i}").ToArray();

        async Task<Dictionary<string, int>> CompareAsync()
        {
            var versions = new Dictionary<string, int>();
            foreach (var subject in subjects)
            {
                var local = await client.Hub.GetPromptAsync("client/rollout", subject: subject);
                var resolved = await server.ResolveAsync("client/rollout", $"?subject={subject}");
                Assert.Equal(((int)resolved["version"]!, (string?)resolved["experiment"]?["variant"]), (local.Version!.Value, local.Experiment?.Variant));
                versions[subject] = local.Version.Value;
            }
            return versions;
        }

        var at25 = await CompareAsync();
        await (await admin.RaiseAsync("client/rollout", 50)).ReadJsonAsync(HttpStatusCode.OK);
        await Task.Delay(ttl + TimeSpan.FromMilliseconds(50));
        await client.Hub.GetPromptAsync("client/rollout"); // stale: starts the refresh
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal(PromptSource.Cache, (await client.Hub.GetPromptAsync("client/rollout")).Source));
        var at50 = await CompareAsync();

        Assert.InRange(at25.Values.Count(v => v == 2), 400, 600);
        Assert.InRange(at50.Values.Count(v => v == 2), 900, 1100);
        Assert.All(at25.Where(s => s.Value == 2), s => Assert.Equal(2, at50[s.Key])); // the candidate's subjects keep it
    }
}

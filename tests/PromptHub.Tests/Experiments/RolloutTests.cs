using PromptHub.Modules.Experiments;
using PromptHub.Tests.Prompts;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Experiments;

public sealed class RolloutTests(AppFactory app) : IClassFixture<AppFactory>
{
    /// <summary>The subjects (of <paramref name="subjects"/>) that resolve to the candidate now, checked against the assignment function.</summary>
    static async Task<HashSet<string>> InCandidateAsync(HttpClient reader, string prompt, string key, IEnumerable<string> subjects, int percent)
    {
        var inCandidate = new HashSet<string>();
        foreach (var subject in subjects)
        {
            var answer = await reader.ResolveAsync(prompt, $"?subject={subject}");
            Assert.Equal(key, (string)answer["experiment"]!["key"]!);
            var variant = (string)answer["experiment"]!["variant"]!;
            Assert.Equal(variant == "candidate" ? 2 : 1, (int)answer["version"]!);
            Assert.Equal(Assignment.VariantOf(Assignment.Bucket(key, subject), [100 - percent, percent]) == 1, variant == "candidate");
            if (variant == "candidate") inCandidate.Add(subject);
        }
        return inCandidate;
    }

    [Fact]
    public async Task A_rollout_grows_from_10_to_100_percent_keeping_its_subjects_then_completes_into_the_label()
    {
        var admin = app.Admin();
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await admin.PromptInProductionAsync("roll/grow", 2);

        var started = await (await admin.RolloutAsync("roll/grow", new { version = 2, percent = 10, reason = "canary" })).ReadJsonAsync(HttpStatusCode.Created);
        var key = (string)started["key"]!;
        Assert.Equal("rollout", (string)started["kind"]!);
        Assert.Equal("running", (string)started["status"]!);
        Assert.Equal("""[{"name":"control","version":1,"weight":90},{"name":"candidate","version":2,"weight":10}]""", started["variants"]!.ToJsonString());
        Assert.Equal(key, (string)(await reader.GetJsonAsync($"{ExperimentApi.Path("roll/grow")}/labels/production/rollout"))["key"]!);

        var subjects = Enumerable.Range(0, 300).Select(i => $"customer-{i}").ToList();
        var previous = await InCandidateAsync(reader, "roll/grow", key, subjects, 10);
        Assert.InRange(previous.Count, 15, 50); // about 30 of 300
        // A control execution at 10% stays valid after the share grows, even for a subject now in the candidate.
        var movesLater = subjects.First(s => !previous.Contains(s) && Assignment.VariantOf(Assignment.Bucket(key, s), [75, 25]) == 1);
        var controlBefore = ExperimentApi.Execution("grow-early", "roll/grow", 1, key, "control", movesLater);

        foreach (var percent in new[] { 25, 50, 100 })
        {
            var raised = await (await admin.RaiseAsync("roll/grow", percent, $"to {percent}%")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(percent, (int)raised["variants"]![1]!["weight"]!);
            var now = await InCandidateAsync(reader, "roll/grow", key, subjects, percent);
            Assert.Superset(previous, now); // nobody given the candidate goes back
            Assert.True(now.Count > previous.Count, $"{percent}%: {now.Count} subjects in the candidate, before {previous.Count}");
            previous = now;
        }
        Assert.Equal(300, previous.Count);
        await (await admin.ReportAsync([controlBefore])).ReadJsonAsync(HttpStatusCode.Accepted);
        // Raising to the same share again changes and records nothing.
        await (await admin.RaiseAsync("roll/grow", 100)).ReadJsonAsync(HttpStatusCode.OK);

        var completed = await (await admin.PostAsJsonAsync($"{ExperimentApi.Path("roll/grow")}/labels/production/rollout/complete", new { reason = "all good" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("stopped", (string)completed["status"]!);
        Assert.Equal("candidate", (string)completed["winner"]!);
        foreach (var subject in subjects.Take(20))
        {
            var answer = await reader.ResolveAsync("roll/grow", $"?subject={subject}");
            Assert.Equal(2, (int)answer["version"]!);
            Assert.Null(answer["experiment"]);
        }
        await (await reader.GetAsync($"{ExperimentApi.Path("roll/grow")}/labels/production/rollout")).ReadProblemAsync(HttpStatusCode.NotFound);

        // Every step is in the label's history, with actor and reason.
        var steps = (await reader.HistoryAsync("roll/grow"))["items"]!.AsArray().Reverse()
            .Select(m => $"{m!["action"]} {m["fromVersion"]}→{m["toVersion"]} {m["percent"]?.ToString() ?? "-"} {m["reason"]} {m["actor"]} {m["experiment"]}").ToList();
        Assert.Equal(
        [
            "activate →1 -  admin ",
            $"rollout 1→2 10 canary admin {key}",
            $"rollout 1→2 25 to 25% admin {key}",
            $"rollout 1→2 50 to 50% admin {key}",
            $"rollout 1→2 100 to 100% admin {key}",
            $"complete 1→2 - all good admin {key}",
        ], steps);
        // A rollback after a completed rollout goes back to the version before it.
        await (await admin.PostAsync($"{ExperimentApi.Path("roll/grow")}/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, await reader.ResolvedVersionAsync("roll/grow"));
    }

    [Fact]
    public async Task An_aborted_rollout_leaves_the_label_and_gives_everyone_its_version_again()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("roll/abort", 2);
        var key = (string)(await (await admin.RolloutAsync("roll/abort", new { version = 2, percent = 50, key = "abort-me" })).ReadJsonAsync(HttpStatusCode.Created))["key"]!;
        Assert.Equal("abort-me", key);
        var inCandidate = ExperimentApi.SubjectsIn(key, [50, 50], 1, 3);
        foreach (var subject in inCandidate) Assert.Equal(2, await admin.ResolvedVersionAsync("roll/abort", $"?subject={subject}"));

        var aborted = await (await admin.PostAsJsonAsync($"{ExperimentApi.Path("roll/abort")}/labels/production/rollout/abort", new { reason = "errors up" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("stopped", (string)aborted["status"]!);
        Assert.Null(aborted["winner"]);
        foreach (var subject in inCandidate) Assert.Equal(1, await admin.ResolvedVersionAsync("roll/abort", $"?subject={subject}"));
        var top = (await admin.HistoryAsync("roll/abort"))["items"]![0]!;
        Assert.Equal("abort", (string)top["action"]!);
        Assert.Equal(0, (int)top["percent"]!);
        Assert.Equal("errors up", (string)top["reason"]!);
        // The abort is not a move: rolling back still undoes the first activation, which has nothing before it.
        await (await admin.PostAsync($"{ExperimentApi.Path("roll/abort")}/labels/production/rollback", null)).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Rollout_steps_on_a_label_that_runs_an_experiment_are_refused()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("roll/busy", 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("busy-exp", "roll/busy"));
        var problem = await (await admin.RaiseAsync("roll/busy", 25)).ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("'busy-exp'", (string)problem["detail"]!, StringComparison.Ordinal);
        await (await admin.PostAsync($"{ExperimentApi.Path("roll/busy")}/labels/production/rollout/complete", null)).ReadProblemAsync(HttpStatusCode.Conflict);
    }
}

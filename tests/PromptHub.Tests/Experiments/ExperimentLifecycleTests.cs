using PromptHub.Modules.Experiments;
using PromptHub.Tests.Prompts;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.Experiments;

public sealed class ExperimentLifecycleTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task An_experiment_serves_each_subject_its_variant_until_it_is_stopped_and_the_winner_promoted()
    {
        var admin = app.Admin();
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await admin.PromptInProductionAsync("life/triage", 2);

        var draft = await admin.CreateExperimentAsync(ExperimentApi.TwoVariants("triage-concise", "life/triage"));
        Assert.Equal("draft", (string)draft["status"]!);
        Assert.Equal("triage-concise", (string)draft["seed"]!);
        // A draft changes nothing: every subject still gets production.
        var before = await reader.ResolveAsync("life/triage", "?subject=user-1");
        Assert.Equal(1, (int)before["version"]!);
        Assert.Null(before["experiment"]);

        Assert.Equal("running", (string)(await admin.StartAsync("triage-concise"))["status"]!);
        var control = ExperimentApi.SubjectsIn("triage-concise", [50, 50], 0, 5);
        var concise = ExperimentApi.SubjectsIn("triage-concise", [50, 50], 1, 5);
        foreach (var subject in control)
        {
            var answer = await reader.ResolveAsync("life/triage", $"?subject={subject}");
            Assert.Equal(1, (int)answer["version"]!);
            Assert.Equal("production", (string)answer["label"]!);
            Assert.Equal("triage-concise", (string)answer["experiment"]!["key"]!);
            Assert.Equal("control", (string)answer["experiment"]!["variant"]!);
        }
        foreach (var subject in concise)
        {
            var answer = await reader.ResolveAsync("life/triage", $"?subject={Uri.EscapeDataString(subject)}");
            Assert.Equal(2, (int)answer["version"]!);
            Assert.Equal("concise", (string)answer["experiment"]!["variant"]!);
            // Render answers the same assignment.
            var rendered = await (await reader.RenderAsync("life/triage", new { subject, variables = new { question = "refund?" } })).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("life/triage version 2: answer refund?", (string)rendered["text"]!);
            Assert.Equal("concise", (string)rendered["experiment"]!["variant"]!);
        }
        // Without a subject: the label's version, outside the experiment; an explicit version is never in it.
        var anonymous = await reader.ResolveAsync("life/triage");
        Assert.Equal(1, (int)anonymous["version"]!);
        Assert.Null(anonymous["experiment"]);
        Assert.Null((await reader.ResolveAsync("life/triage", $"?version=1&subject={concise[0]}"))["experiment"]);

        var stopped = await (await admin.StopAsync("triage-concise", promote: "concise", reason: "shorter answers won")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("stopped", (string)stopped["status"]!);
        Assert.Equal("concise", (string)stopped["winner"]!);
        Assert.Equal("shorter answers won", (string)stopped["reason"]!);

        // The label moved, with its history row; after the stop everyone gets the label's version.
        var history = await reader.HistoryAsync("life/triage");
        var top = history["items"]![0]!;
        Assert.Equal("promote", (string)top["action"]!);
        Assert.Equal(1, (int)top["fromVersion"]!);
        Assert.Equal(2, (int)top["toVersion"]!);
        Assert.Equal("triage-concise", (string)top["experiment"]!);
        Assert.Equal("shorter answers won", (string)top["reason"]!);
        Assert.Equal("admin", (string)top["actor"]!);
        foreach (var subject in control.Concat(concise))
        {
            var answer = await reader.ResolveAsync("life/triage", $"?subject={subject}");
            Assert.Equal(2, (int)answer["version"]!);
            Assert.Null(answer["experiment"]);
        }
        // Rollback undoes the promotion like any activation.
        await (await admin.PostAsync($"{ExperimentApi.Path("life/triage")}/labels/production/rollback", null)).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, await reader.ResolvedVersionAsync("life/triage"));
    }

    [Fact]
    public async Task Stop_is_atomic_under_eight_concurrent_calls()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/race", 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("race", "life/race"));

        var clients = Enumerable.Range(0, 8).Select(_ => app.Admin()).ToList();
        var answers = await Task.WhenAll(clients.Select(c => c.StopAsync("race", promote: "concise", reason: "race")));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        foreach (var conflict in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Contains("already stopped", (string)(await conflict.ReadProblemAsync(HttpStatusCode.Conflict))["detail"]!, StringComparison.Ordinal);
        }
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM prompts.label_moves m JOIN prompts.prompts p ON p.id = m.prompt_id WHERE p.name = 'life/race' AND m.action = 'promote'"));
        Assert.Equal(2, await admin.ResolvedVersionAsync("life/race"));
    }

    [Fact]
    public async Task Of_eight_drafts_started_at_once_on_one_label_exactly_one_runs()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/starts", 2);
        for (var i = 0; i < 8; i++) await admin.CreateExperimentAsync(ExperimentApi.TwoVariants($"starts-{i}", "life/starts"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => app.Admin().PostAsync($"{ExperimentApi.Experiments}/starts-{i}/start", null)));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await app.ScalarAsync<long>("SELECT count(*) FROM experiments.experiments WHERE key LIKE 'starts-%' AND status = 'running'"));
    }

    [Fact]
    public async Task Only_one_experiment_or_rollout_runs_per_prompt_and_label()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/one", 3);
        await admin.ActivateAsync("life/one", "staging", 1);
        await admin.RunAsync(ExperimentApi.TwoVariants("one-a", "life/one"));
        await admin.CreateExperimentAsync(ExperimentApi.TwoVariants("one-b", "life/one", treatment: 3));

        var second = await (await admin.PostAsync($"{ExperimentApi.Experiments}/one-b/start", null)).ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("'one-a' is already running on label 'production'", (string)second["detail"]!, StringComparison.Ordinal);
        await (await admin.RolloutAsync("life/one", new { version = 3, percent = 10 })).ReadProblemAsync(HttpStatusCode.Conflict);
        // Another label of the same prompt is free.
        await admin.RunAsync(ExperimentApi.TwoVariants("one-staging", "life/one", label: "staging"));

        // The database itself refuses a second running experiment on the label, whatever the code does.
        var sneaked = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            app.ExecuteAsync("UPDATE experiments.experiments SET status = 'running' WHERE key = 'one-b'"));
        Assert.Equal(Npgsql.PostgresErrorCodes.UniqueViolation, sneaked.SqlState);

        // Once the first stops, the second may start.
        await (await admin.StopAsync("one-a")).ReadJsonAsync(HttpStatusCode.OK);
        await admin.StartAsync("one-b");
        // A stopped experiment does not run again.
        await (await admin.PostAsync($"{ExperimentApi.Experiments}/one-a/start", null)).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await admin.StopAsync("one-a")).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Archiving_a_prompt_with_a_running_experiment_is_refused()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/archive", 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("archive-me", "life/archive"));

        var refused = await (await admin.DeleteAsync(ExperimentApi.Path("life/archive"))).ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("running experiment 'archive-me'", (string)refused["detail"]!, StringComparison.Ordinal);
        Assert.Equal(2, (int)(await admin.GetJsonAsync(ExperimentApi.Path("life/archive")))["latestVersion"]!);

        await (await admin.StopAsync("archive-me")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(ExperimentApi.Path("life/archive"))).StatusCode);
    }

    [Fact]
    public async Task A_reported_execution_must_be_of_the_variant_its_subject_is_assigned_to()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/report", 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("report-check", "life/report"));
        var inControl = ExperimentApi.SubjectsIn("report-check", [50, 50], 0, 1)[0];
        var inConcise = ExperimentApi.SubjectsIn("report-check", [50, 50], 1, 1)[0];
        var before = await app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions");

        async Task Refused(object execution, string field, string message)
        {
            var good = ExperimentApi.Execution("ok-in-batch", "life/report", 1, "report-check", "control", inControl);
            var problem = await (await admin.ReportAsync([good, execution])).ReadProblemAsync(HttpStatusCode.BadRequest);
            var errors = problem["errors"]![$"executions[1].{field}"]!.AsArray();
            Assert.Contains(errors, e => ((string)e!).Contains(message, StringComparison.Ordinal));
        }
        await Refused(ExperimentApi.Execution("x1", "life/report", 2, "report-check", "concise", inControl), "variant",
            $"subject '{inControl}' is assigned to variant 'control' of experiment 'report-check', not 'concise'");
        await Refused(ExperimentApi.Execution("x2", "life/report", 1, "report-check", "control", inConcise), "variant", "assigned to variant 'concise'");
        await Refused(ExperimentApi.Execution("x3", "life/report", 1, "report-check", "concise", inConcise), "version", "serves version 2, not 1");
        await Refused(ExperimentApi.Execution("x4", "life/report", 1, "no-such", "control", inControl), "experiment", "has no started experiment 'no-such'");
        await Refused(ExperimentApi.Execution("x5", "life/report", 1, "report-check", "bigger", inControl), "variant", "has no variant 'bigger'");
        await Refused(ExperimentApi.Execution("x6", "life/report", 1, "report-check", "control", null), "subject", "is required with experiment");
        await Refused(ExperimentApi.Execution("x7", "life/report", 1, null, "control", inControl), "experiment", "is required with a variant");
        Assert.Equal(before, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions"));

        // Matching ones are taken.
        var accepted = await (await admin.ReportAsync([
            ExperimentApi.Execution("r1", "life/report", 1, "report-check", "control", inControl),
            ExperimentApi.Execution("r2", "life/report", 2, "report-check", "concise", inConcise),
        ])).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(2, (int)accepted["accepted"]!);
    }

    [Fact]
    public async Task Executions_reported_after_the_stop_are_stored_but_left_out_of_its_results()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/late", 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("late", "life/late"));
        var subject = ExperimentApi.SubjectsIn("late", [50, 50], 1, 1)[0];
        await (await admin.ReportAsync([ExperimentApi.Execution("late-1", "life/late", 2, "late", "concise", subject)])).ReadJsonAsync(HttpStatusCode.Accepted);
        await (await admin.StopAsync("late")).ReadJsonAsync(HttpStatusCode.OK);

        await (await admin.ReportAsync([ExperimentApi.Execution("late-2", "life/late", 2, "late", "concise", subject)])).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(2, await app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions WHERE experiment = 'late'"));

        var results = await admin.ResultsAsync("late");
        Assert.Equal("stopped", (string)results["status"]!);
        Assert.Equal(1, (int)results["excludedAfterStop"]!);
        Assert.Equal(1, (int)results["variants"]![1]!["executions"]!);
    }

    [Fact]
    public async Task Resolve_and_render_refuse_an_empty_subject()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("life/empty", 1);
        var resolve = await (await admin.GetAsync($"{ExperimentApi.Path("life/empty")}/resolve?subject=")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(resolve["errors"]!["subject"]);
        var render = await (await admin.RenderAsync("life/empty", new { subject = " ", variables = new { question = "q" } })).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(render["errors"]!["subject"]);
    }

    [Fact]
    public async Task Experiments_are_listed_and_shown_to_readers_and_written_by_admins_only()
    {
        var admin = app.Admin();
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await admin.PromptInProductionAsync("life/list", 2);
        await admin.CreateExperimentAsync(ExperimentApi.TwoVariants("list-a", "life/list"));

        var shown = await reader.GetJsonAsync($"{ExperimentApi.Experiments}/list-a");
        Assert.Equal("life/list", (string)shown["prompt"]!);
        Assert.Equal(2, shown["variants"]!.AsArray().Count);
        var drafts = await reader.GetJsonAsync($"{ExperimentApi.Experiments}?status=draft&prompt=life%2Flist");
        Assert.Equal(["list-a"], drafts["items"]!.AsArray().Select(i => (string)i!["key"]!));
        await (await reader.PostAsync($"{ExperimentApi.Experiments}/list-a/start", null)).ReadProblemAsync(HttpStatusCode.Forbidden);
        await (await reader.GetAsync($"{ExperimentApi.Experiments}/nothing-here")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync($"{ExperimentApi.Experiments}?status=Done")).ReadProblemAsync(HttpStatusCode.BadRequest);

        // Another project neither sees nor touches it.
        var other = app.As(await app.CreateProjectAsync("life-other"));
        await (await other.GetAsync($"{ExperimentApi.Experiments}/list-a")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await other.PostAsync($"{ExperimentApi.Experiments}/list-a/start", null)).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (int)(await other.GetJsonAsync(ExperimentApi.Experiments))["total"]!);
    }
}

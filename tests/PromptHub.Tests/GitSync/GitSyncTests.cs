using PromptHub.Tests.Prompts;
using PromptHub.Tests.Serving;

namespace PromptHub.Tests.GitSync;

public sealed class GitSyncTests : IAsyncLifetime
{
    const string Greeting = """
        ---
        description: Greets a customer
        tags: [support, greeting]
        config:
          model: gpt-4o-mini
          temperature: 0.2
        ---
        Hello {{ name }}, how can we help?
        """;

    const string Triage = """
        ---
        type: chat
        config: {model: gpt-4o, max_tokens: 200}
        ---
        system:
        You sort support tickets into billing, bug or other.

        user:
        {{ ticket }}
        """;

    readonly GitSyncApp _app = new();
    readonly TestRepository _repository = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_app).DisposeAsync();
        _repository.Dispose();
    }

    [Fact]
    public async Task First_sync_imports_every_prompt_file_with_the_commit_as_author_and_message()
    {
        var admin = _app.Admin();
        var sha = _repository.Write("prompts/greeting.prompt", Greeting).Write("prompts/support/triage.prompt", Triage)
            .Write("prompts/README.md", "not a prompt").Commit("Add the first prompts");
        await admin.ConnectAsync(new { url = _repository.FileUrl, branch = "main", path = "prompts" });

        var report = await admin.SyncAsync();

        Assert.Equal("succeeded", (string)report["result"]!);
        Assert.Equal(sha, (string)report["commit"]!);
        Assert.Equal(2, (int)report["created"]!);
        var greeting = await admin.PromptAsync("greeting");
        Assert.Equal("text", (string)greeting["type"]!);
        Assert.Equal("Greets a customer", (string)greeting["description"]!);
        Assert.Equal(["support", "greeting"], greeting["tags"]!.AsArray().Select(t => (string)t!));
        var latest = greeting["latest"]!;
        Assert.Equal("Hello {{ name }}, how can we help?", (string)latest["template"]!);
        Assert.Equal("gpt-4o-mini", (string)latest["config"]!["model"]!);
        Assert.Equal(0.2, (double)latest["config"]!["temperature"]!);
        Assert.Equal("Ada Lovelace", (string)latest["author"]!);
        Assert.Equal($"Add the first prompts ({sha[..7]})", (string)latest["commitMessage"]!);

        var triage = (await admin.PromptAsync("support/triage"))["latest"]!;
        Assert.Equal("chat", (string)triage["type"]!);
        var messages = triage["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", (string)messages[0]!["role"]!);
        Assert.Equal("You sort support tickets into billing, bug or other.", (string)messages[0]!["content"]!);
        Assert.Equal("user", (string)messages[1]!["role"]!);
        Assert.Equal("{{ ticket }}", (string)messages[1]!["content"]!);
        Assert.Equal(200, (int)triage["config"]!["max_tokens"]!);

        var status = (await admin.SourceAsync())["status"]!;
        Assert.Equal("ok", (string)status["state"]!);
        Assert.Equal(sha, (string)status["lastCommit"]!);
        Assert.Equal(2, (int)status["counts"]!["created"]!);
    }

    [Fact]
    public async Task A_second_commit_changing_one_file_adds_one_version_and_a_resync_adds_nothing()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", Greeting).Write("support/triage.prompt", Triage).Commit("Add the first prompts");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        await admin.SyncAsync();

        var sha = _repository.Write("greeting.prompt", Greeting.Replace("how can we help?", "what can we do for you today?"))
            .Commit("Warmer greeting\n\nLonger explanation that is not the subject.", "Grace Hopper <grace@example.com>");
        _repository.Commit("An unrelated empty commit", "Someone Else <else@example.com>");
        var report = await admin.SyncAsync();

        Assert.Equal(1, (int)report["created"]!);
        Assert.Equal(1, (int)report["unchanged"]!);
        var versions = (await admin.VersionsAsync("greeting"))["items"]!.AsArray();
        Assert.Equal(2, versions.Count);
        Assert.Equal("Grace Hopper", (string)versions[0]!["author"]!);
        Assert.Equal($"Warmer greeting ({sha[..7]})", (string)versions[0]!["commitMessage"]!);
        Assert.Equal("prompt", (string)versions[0]!["changeType"]!);
        Assert.Equal(1, (int)(await admin.VersionsAsync("support/triage"))["total"]!);

        var again = await admin.SyncAsync();
        Assert.Equal(0, (int)again["created"]!);
        Assert.Equal(2, (int)again["unchanged"]!);
        Assert.Equal(2, (int)(await admin.VersionsAsync("greeting"))["total"]!);
        var log = (await admin.FetchLogAsync())["items"]!.AsArray();
        Assert.Equal(3, log.Count);
        Assert.All(log, entry => Assert.Equal("succeeded", (string)entry!["result"]!));
        Assert.Equal([0, 1, 2], log.Select(e => (int)e!["created"]!).Order());
    }

    [Fact]
    public async Task Front_matter_labels_move_staging_but_not_production_unless_the_source_allows_it()
    {
        var admin = _app.Admin();
        var sha = _repository.Write("greeting.prompt", Greeting.Replace("tags:", "labels: [staging, production]\ntags:")).Commit("Ship it");
        await admin.ConnectAsync(new { url = _repository.FileUrl });

        var report = await admin.SyncAsync();

        var file = report.File("greeting.prompt");
        Assert.Equal(["staging"], file["labelsMoved"]!.AsArray().Select(l => (string)l!));
        Assert.Equal(["production"], file["labelsNotAllowed"]!.AsArray().Select(l => (string)l!));
        var labels = (await admin.PromptAsync("greeting"))["labels"]!.AsObject();
        Assert.Equal(1, (int)labels["staging"]!);
        Assert.False(labels.ContainsKey("production"));
        var history = await admin.GetJsonAsync("/api/v1/prompts/greeting/labels/staging/history");
        Assert.Equal($"git:{sha[..7]}", (string)history["items"]![0]!["actor"]!);

        // An admin who wants the repository to drive production says so on the source.
        await admin.ConnectAsync(new { url = _repository.FileUrl, labels = new[] { "staging", "production" } }, HttpStatusCode.OK);
        _repository.Write("greeting.prompt", Greeting.Replace("tags:", "labels: [staging, production]\ntags:").Replace("help?", "help you?")).Commit("Ship v2");
        await admin.SyncAsync();
        labels = (await admin.PromptAsync("greeting"))["labels"]!.AsObject();
        Assert.Equal(2, (int)labels["production"]!);
        Assert.Equal(2, (int)labels["staging"]!);
    }

    [Fact]
    public async Task A_bad_file_is_reported_with_its_path_and_line_and_the_others_import()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", Greeting)
            .Write("unknown-key.prompt", "---\ntype: text\ncolour: blue\n---\nHi {{ name }}\n")
            .Write("not-yaml.prompt", "---\ntype: text\ntags: [a, b\n---\nHi\n")
            .Write("chat-without-roles.prompt", "---\ntype: chat\n---\nJust some text\n")
            .Write("bad name.prompt", "Hi\n")
            .Commit("Some good, some bad");
        await admin.ConnectAsync(new { url = _repository.FileUrl });

        var report = await admin.SyncAsync();

        Assert.Equal("partial", (string)report["result"]!);
        Assert.Equal(1, (int)report["created"]!);
        Assert.Equal(4, (int)report["rejected"]!);
        var unknown = report.File("unknown-key.prompt");
        Assert.Equal("rejected", (string)unknown["action"]!);
        Assert.Equal(3, (int)unknown["line"]!);
        Assert.Contains("colour", (string)unknown["error"]!);
        Assert.Contains("not valid YAML", (string)report.File("not-yaml.prompt")["error"]!);
        Assert.Equal(4, (int)report.File("chat-without-roles.prompt")["line"]!);
        Assert.Contains("bad name", (string)report.File("bad name.prompt")["error"]!);
        Assert.Equal(1, (int)(await admin.VersionsAsync("greeting"))["total"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/prompts/unknown-key")).StatusCode);

        var status = (await admin.SourceAsync())["status"]!;
        Assert.Equal("partial", (string)status["state"]!);
        var errors = status["fileErrors"]!.AsArray();
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => (string)e!["path"]! == "unknown-key.prompt" && (int)e["line"]! == 3);

        // Fixed in the next commit: imported, and the status is clean again.
        _repository.Write("unknown-key.prompt", "---\ntype: text\n---\nHi {{ name }}\n").Delete("not-yaml.prompt")
            .Delete("chat-without-roles.prompt").Delete("bad name.prompt").Commit("Fix them");
        var fixedReport = await admin.SyncAsync();
        Assert.Equal("succeeded", (string)fixedReport["result"]!);
        Assert.Empty((await admin.SourceAsync())["status"]!["fileErrors"]!.AsArray());
    }

    [Fact]
    public async Task A_liquid_file_imports_in_liquid_and_a_template_error_is_reported_at_its_line_in_the_file()
    {
        var admin = _app.Admin();
        _repository.Write("tags.prompt", "---\ntemplateFormat: liquid\n---\n{% for t in tags %}{{ t | upcase }} {% endfor %}\n")
            .Write("broken.prompt", "---\ndescription: two lines of front matter\n---\nfirst line\nHello {{ if vip }}\n")
            .Write("jinja.prompt", "---\ntemplateFormat: jinja\n---\nHi\n")
            .Commit("Liquid, broken and unknown formats");
        await admin.ConnectAsync(new { url = _repository.FileUrl });

        var report = await admin.SyncAsync();

        Assert.Equal(1, (int)report["created"]!);
        Assert.Equal("liquid", (string)(await admin.PromptAsync("tags"))["latest"]!["templateFormat"]!);
        var rendered = await (await admin.PostAsJsonAsync("/api/v1/prompts/tags/render", new { version = 1, variables = new { tags = new[] { "a", "b" } } }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("A B ", (string)rendered["text"]!); // the body's last line break belongs to the file, not the template
        // The template's line 2 is the file's line 5 (three lines of front matter before it).
        var broken = report.File("broken.prompt");
        Assert.Equal("rejected", (string)broken["action"]!);
        Assert.Equal(5, (int)broken["line"]!);
        Assert.Contains("templateFormat", (string)report.File("jinja.prompt")["error"]!);

        // Exported with its format, so that a round trip keeps it.
        var export = await admin.GetAsync("/api/v1/git-source/export?format=zip");
        using var zip = new System.IO.Compression.ZipArchive(await export.Content.ReadAsStreamAsync());
        using var reader = new StreamReader(zip.GetEntry("tags.prompt")!.Open());
        Assert.Contains("templateFormat: liquid", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Preview_tells_what_a_sync_would_do_and_changes_nothing()
    {
        var admin = _app.Admin();
        var first = _repository.Write("greeting.prompt", Greeting).Commit("First");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        await admin.SyncAsync();
        _repository.Write("greeting.prompt", Greeting.Replace("tags:", "labels: [staging]\ntags:").Replace("help?", "help you?"))
            .Write("farewell.prompt", "Bye {{ name }}\n").Write("broken.prompt", "---\nnope: 1\n---\nx\n").Commit("Second");

        var preview = await (await admin.PostAsync("/api/v1/git-source/preview", null)).ReadJsonAsync(HttpStatusCode.OK);

        Assert.True((bool)preview["dryRun"]!);
        Assert.Equal(2, (int)preview["created"]!);
        Assert.Equal(2, (int)preview.File("greeting.prompt")["version"]!);
        Assert.Equal(["staging"], preview.File("greeting.prompt")["labelsMoved"]!.AsArray().Select(l => (string)l!));
        Assert.Equal("created", (string)preview.File("farewell.prompt")["action"]!);
        Assert.Equal("rejected", (string)preview.File("broken.prompt")["action"]!);
        Assert.Equal(1, (int)(await admin.VersionsAsync("greeting"))["total"]!);
        Assert.False((await admin.PromptAsync("greeting"))["labels"]!.AsObject().ContainsKey("staging"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/prompts/farewell")).StatusCode);
        Assert.Equal(first, (string)(await admin.SourceAsync())["status"]!["lastCommit"]!);

        var sync = await admin.SyncAsync();
        Assert.Equal(2, (int)sync["created"]!);
        Assert.Equal(2, (int)(await admin.VersionsAsync("greeting"))["total"]!);
    }

    [Fact]
    public async Task The_repository_going_away_keeps_serving_and_records_each_failure()
    {
        var admin = _app.Admin();
        var sha = _repository.Write("greeting.prompt", Greeting).Commit("First");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        await admin.SyncAsync();
        await admin.ActivateAsync("greeting", "production", 1);
        Directory.Move(_repository.Bare, _repository.Bare + ".gone");

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var failed = await (await admin.PostAsync("/api/v1/git-source/sync", null)).ReadProblemAsync(HttpStatusCode.BadGateway);
            Assert.False(string.IsNullOrEmpty((string?)failed["detail"]));
        }

        var reader = _app.As(await _app.CreateKeyAsync("reader"));
        Assert.Equal(1, await reader.ResolvedVersionAsync("greeting"));
        var status = (await admin.SourceAsync())["status"]!;
        Assert.Equal("failing", (string)status["state"]!);
        Assert.NotNull((string?)status["failingSince"]);
        Assert.Equal(2, (int)status["consecutiveFailures"]!);
        Assert.Equal(sha, (string)status["lastCommit"]!);
        Assert.True(DateTimeOffset.Parse((string)status["nextAttemptAt"]!) > DateTimeOffset.Parse((string)status["lastAttemptAt"]!).AddMinutes(9),
            "the second failure waits twice the interval");
        var log = (await admin.FetchLogAsync())["items"]!.AsArray();
        Assert.Equal(["failed", "failed", "succeeded"], log.Select(e => (string)e!["result"]!));
        Assert.All(log.Take(2), e => Assert.False(string.IsNullOrEmpty((string?)e!["error"])));

        // Back again: the next sync works and the failure streak ends.
        Directory.Move(_repository.Bare + ".gone", _repository.Bare);
        await admin.SyncAsync();
        status = (await admin.SourceAsync())["status"]!;
        Assert.Equal("ok", (string)status["state"]!);
        Assert.Null((string?)status["failingSince"]);
    }

    [Fact]
    public async Task Bad_sources_are_refused_naming_the_field_and_nothing_is_written()
    {
        var admin = _app.Admin();
        (object Body, string Field)[] cases =
        [
            (new { url = "https://user:secret@github.com/acme/prompts.git" }, "url"),
            (new { url = "http://github.com/acme/prompts.git" }, "url"),
            (new { url = "file://fileserver/share/prompts.git" }, "url"),
            (new { url = "ssh://git@github.com/acme/prompts.git" }, "url"),
            (new { url = "git@github.com:acme/prompts.git" }, "url"),
            (new { url = "https://github.com/acme/prompts.git", branch = "release/../main" }, "branch"),
            (new { url = "https://github.com/acme/prompts.git", path = "prompts/../../etc" }, "path"),
            (new { url = "https://github.com/acme/prompts.git", labels = new[] { "Not A Label" } }, "labels"),
        ];
        foreach (var (body, field) in cases)
        {
            var problem = await (await admin.PutAsJsonAsync("/api/v1/git-source", body)).ReadProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"{field} is named for {System.Text.Json.JsonSerializer.Serialize(body)}: {problem}");
            Assert.DoesNotContain("secret", problem.ToJsonString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/git-source")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/git-source/sync", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _app.As(await _app.CreateKeyAsync("reader")).GetAsync("/api/v1/git-source")).StatusCode);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_rejected_and_the_others_import()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", Greeting).Write("huge.prompt", "Hi " + new string('x', 300 * 1024) + "\n").Commit("Big");
        await admin.ConnectAsync(new { url = _repository.FileUrl });

        var report = await admin.SyncAsync();

        Assert.Contains("MaxFileBytes", (string)report.File("huge.prompt")["error"]!);
        Assert.Equal(1, (int)report["created"]!);
    }

    [Fact]
    public async Task Deleting_a_file_archives_nothing_by_default_and_archives_its_prompt_when_asked()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", Greeting).Write("farewell.prompt", "Bye {{ name }}\n").Commit("Two");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        await admin.SyncAsync();

        _repository.Delete("farewell.prompt").Commit("Drop farewell");
        await admin.SyncAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/prompts/farewell")).StatusCode);

        await admin.ConnectAsync(new { url = _repository.FileUrl, archiveDeleted = true }, HttpStatusCode.OK);
        var report = await admin.SyncAsync();
        Assert.Equal("archived", (string)report.File("farewell.prompt")["action"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/prompts/farewell")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/prompts/greeting")).StatusCode);
    }

    [Fact]
    public async Task A_sync_that_dies_midway_keeps_what_it_imported_and_the_next_one_does_the_rest()
    {
        var admin = _app.Admin();
        _repository.Write("a.prompt", "A {{ name }}\n").Write("b.prompt", "B {{ name }}\n").Commit("Two prompts");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        // The database fails while the second file is recorded, as when an instance dies there.
        await _app.ExecuteAsync("""
            CREATE FUNCTION gitsync.fail_b() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.file_path = 'b.prompt' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER fail_b BEFORE INSERT ON gitsync.files FOR EACH ROW EXECUTE FUNCTION gitsync.fail_b();
            """);

        var crashed = await admin.PostAsync("/api/v1/git-source/sync", null);
        Assert.False(crashed.IsSuccessStatusCode);
        Assert.Equal(1, (int)(await admin.VersionsAsync("a"))["total"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/prompts/b")).StatusCode);
        Assert.Equal("failed", (string)(await admin.FetchLogAsync())["items"]![0]!["result"]!);

        await _app.ExecuteAsync("DROP TRIGGER fail_b ON gitsync.files; DROP FUNCTION gitsync.fail_b();");
        var report = await admin.SyncAsync();

        Assert.Equal(1, (int)report["created"]!);
        Assert.Equal(1, (int)report["unchanged"]!);
        Assert.Equal("b.prompt", (string)report["files"]!.AsArray().Single()!["path"]!);
        Assert.Equal(1, (int)(await admin.VersionsAsync("a"))["total"]!);
        Assert.Equal(1, (int)(await admin.VersionsAsync("b"))["total"]!);
    }

    [Fact]
    public async Task Disconnecting_keeps_the_imported_versions_and_another_project_never_sees_the_source()
    {
        var admin = _app.Admin();
        _repository.Write("greeting.prompt", Greeting).Commit("One");
        await admin.ConnectAsync(new { url = _repository.FileUrl });
        await admin.SyncAsync();

        // Another project neither sees nor removes it.
        var other = _app.As(await _app.CreateProjectAsync("other"));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/v1/git-source")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/api/v1/git-source")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync("/api/v1/git-source/sync", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/git-source")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/git-source")).StatusCode);
        Assert.Equal(1, (int)(await admin.VersionsAsync("greeting"))["total"]!);
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace PromptHub.Tests.Platform;

/// <summary>
/// The README's walkthrough, pasted in order into one bash session against an app started as `dotnet run`
/// starts it on a fresh database. What README authors need to know (the test enforces all of it):
/// <list type="bullet">
/// <item>Every ```bash block from the heading "## Walkthrough" to the end of the README is run, in order, in one
///   bash session: variables and functions carry over from block to block, as in a reader's terminal.</item>
/// <item>A block that is not part of the walkthrough (it starts or builds the app, writes code, needs a real Discord
///   webhook or Git host) has the line <c>&lt;!-- not run: the reason --&gt;</c> right before its fence.
///   Blocks of other languages (```csharp, ```js, plain ```) are never run; ```sh and ```shell are refused, so that
///   nothing meant to run is skipped by accident.</item>
/// <item>The only thing a reader types by hand is what the app's console printed: a line <c>NAME=…</c> whose value
///   contains "…" (the admin key). The test fills in <see cref="Pasted"/> there; every other value (secrets,
///   ids) the commands take from earlier answers themselves. http://localhost:5080 becomes the started app's address.</item>
/// <item>Every command exits 0, and every curl answers 2xx except the errors the README shows: the non-2xx statuses
///   that start lines (<c>409 {…}</c>, <c>HTTP/1.1 404 Not Found</c>) of the plain ``` block right after a bash block
///   are, in order, the non-2xx answers of that block's curls.</item>
/// </list>
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    const string RunMarker = "<!-- not run:";
    const string ReadmeAddress = "http://localhost:5080";

    /// <summary>What a reader pastes, by variable name: only what the console printed.</summary>
    static IReadOnlyDictionary<string, string> Pasted(string adminKey) => new Dictionary<string, string> { ["KEY"] = adminKey };

    [Fact]
    public async Task The_walkthrough_runs_top_to_bottom_as_written_on_a_fresh_start()
    {
        var blocks = ReadmeBlocks(File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md")));
        var refused = blocks.Where(b => b.Language is "sh" or "shell" or "zsh" or "console").ToList();
        Assert.True(refused.Count == 0, $"README line {refused.FirstOrDefault()?.Line}: write ```bash (run by this test) or mark the block '{RunMarker} why -->'");
        var run = blocks.Where(b => b.Language == "bash" && !b.NotRun).ToList();
        Assert.True(run.Count >= 30, $"only {run.Count} walkthrough blocks are run: is the '## Walkthrough' heading still there?");

        var database = TestDatabase.NewName();
        try
        {
            // What `dotnet run` does on a first start: no bootstrap key configured, so the admin key is printed once.
            using var app = new AppProcess(await TestDatabase.CreateAsync(database), new Dictionary<string, string>
            {
                ["PromptHub:BootstrapAdminKey"] = "",
                ["PromptHub:SeedExamples"] = "true",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            });
            await app.WaitUntilReadyAsync();
            string? adminKey = null;
            await HttpAssertions.EventuallyAsync(() =>
            {
                adminKey = PrintedAdminKey(app.Output);
                Assert.True(adminKey is not null, "the first start prints the admin key:\n" + string.Join('\n', app.Output.TakeLast(40)));
                return Task.CompletedTask;
            });

            var result = await RunAsync(run, $"http://127.0.0.1:{app.Port}", Pasted(adminKey!));
            var problems = Problems(run, result);
            // Its executions are dated now, so the analytics it reads right after them count them.
            var analytics = run.Select((b, i) => (b, i)).Where(x => x.b.Text.Contains("/analytics/overview", StringComparison.Ordinal)).ToList();
            Assert.True(analytics.Count > 0, "the walkthrough reads the analytics overview");
            foreach (var (_, i) in analytics)
                if (result.Blocks.TryGetValue(i, out var read) && read.Stdout.Contains("\"executions\":0,", StringComparison.Ordinal))
                    problems.Add(Describe(run[i], read, "the analytics count none of the executions the walkthrough reported"));
            Assert.True(problems.Count == 0, string.Join("\n\n", problems.Take(3)) + "\n\n--- the app's last lines ---\n" + string.Join('\n', app.Output.TakeLast(30)));
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    /// <param name="Line">1-based line of the opening fence.</param>
    /// <param name="ExpectedErrors">non-2xx statuses shown in the answer block right after it.</param>
    sealed record Block(int Line, string Language, bool NotRun, string Text, IReadOnlyList<int> ExpectedErrors);

    sealed record Outcome(IReadOnlyList<int> Statuses, string Stdout, string Stderr, string? Failure);

    sealed record Run(IReadOnlyDictionary<int, Outcome> Blocks, bool Finished, bool TimedOut);

    static List<Block> ReadmeBlocks(string[] lines)
    {
        var start = Array.FindIndex(lines, l => l.StartsWith("## Walkthrough", StringComparison.Ordinal));
        Assert.True(start >= 0, "the README has a '## Walkthrough' heading");
        var fences = new List<(int Line, string Language, string Indent, List<string> Body, bool NotRun)>();
        for (var i = start; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success) continue;
            var indent = open.Groups["indent"].Value;
            var previous = lines.Take(i).LastOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() ?? "";
            var body = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                body.Add(lines[i].StartsWith(indent, StringComparison.Ordinal) ? lines[i][indent.Length..] : lines[i].TrimStart());
            fences.Add((i - body.Count, open.Groups["language"].Value, indent, body,
                previous.StartsWith(RunMarker, StringComparison.Ordinal) && previous.EndsWith("-->", StringComparison.Ordinal)));
        }

        var blocks = new List<Block>();
        for (var f = 0; f < fences.Count; f++)
        {
            var (line, language, _, body, notRun) = fences[f];
            // The answer block: a plain fence with nothing but blank lines between it and this one.
            var answer = f + 1 < fences.Count && fences[f + 1].Language == ""
                && lines[(line + body.Count + 1)..(fences[f + 1].Line - 1)].All(string.IsNullOrWhiteSpace)
                ? fences[f + 1].Body : [];
            var errors = answer.Select(l => StatusLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value))
                .Where(s => s is < 200 or > 299).ToList();
            blocks.Add(new Block(line, language, notRun, string.Join('\n', body), errors));
        }
        return blocks;
    }

    /// <summary>One bash process runs every block in order (stopping at the first command that fails), with curl wrapped to report each status.</summary>
    static async Task<Run> RunAsync(IReadOnlyList<Block> blocks, string baseUrl, IReadOnlyDictionary<string, string> pasted)
    {
        var folder = Directory.CreateTempSubdirectory("prompthub-readme-");
        try
        {
            var script = new StringBuilder("""
                set -eE -o pipefail
                # Each curl reports its status on stderr; the pause keeps the admin key under its 20 requests/s.
                curl() { sleep 0.06; command curl -sS -w '%{stderr}::status %{http_code}\n' "$@"; }
                trap 'echo "::failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

                """);
            for (var i = 0; i < blocks.Count; i++)
            {
                var file = Path.Combine(folder.FullName, $"block-{i:D3}.sh");
                await File.WriteAllTextAsync(file, AsPasted(blocks[i], baseUrl, pasted) + "\n");
                // An answer need not end its line: each marker starts one of its own.
                script.Append($"printf '\\n::block {i}\\n' | tee /dev/stderr; source '{file}'\n");
            }
            script.Append("echo '::done' >&2\n");
            var driver = Path.Combine(folder.FullName, "walkthrough.sh");
            await File.WriteAllTextAsync(driver, script.ToString());

            var start = new ProcessStartInfo("bash", [driver])
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            using var bash = Process.Start(start)!;
            bash.StandardInput.Close();
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
            var timedOut = false;
            try
            {
                await bash.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                bash.Kill(entireProcessTree: true);
            }
            var (output, errors) = (await stdout, await stderr);

            var outs = ByBlock(output);
            var errs = ByBlock(errors);
            var outcomes = errs.ToDictionary(e => e.Key, e => new Outcome(
                [.. e.Value.Where(l => l.StartsWith("::status ", StringComparison.Ordinal)).Select(l => int.Parse(l["::status ".Length..]))],
                string.Join('\n', outs.GetValueOrDefault(e.Key) ?? []),
                string.Join('\n', e.Value.Where(l => !l.StartsWith("::", StringComparison.Ordinal))),
                e.Value.FirstOrDefault(l => l.StartsWith("::failed", StringComparison.Ordinal))));
            return new Run(outcomes, errors.Contains("::done", StringComparison.Ordinal), timedOut);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The block as a reader runs it: their own address, and the console's key pasted where the README asks for it.</summary>
    static string AsPasted(Block block, string baseUrl, IReadOnlyDictionary<string, string> pasted) =>
        string.Join('\n', block.Text.Replace(ReadmeAddress, baseUrl, StringComparison.Ordinal).Split('\n').Select(line =>
        {
            var paste = PasteLine().Match(line);
            if (!paste.Success) return line;
            var name = paste.Groups["name"].Value;
            Assert.True(pasted.TryGetValue(name, out var value),
                $"README line {block.Line}: the reader is asked to paste {name}; take it from an earlier answer in the command instead, or add it to {nameof(Pasted)}");
            return $"{paste.Groups["export"].Value}{name}='{value}'";
        }));

    static Dictionary<int, List<string>> ByBlock(string output)
    {
        var blocks = new Dictionary<int, List<string>>();
        List<string>? current = null;
        foreach (var line in output.Split('\n'))
        {
            var marker = BlockMarker().Match(line);
            if (marker.Success) blocks[int.Parse(marker.Groups[1].Value)] = current = [];
            else current?.Add(line);
        }
        return blocks;
    }

    static List<string> Problems(IReadOnlyList<Block> blocks, Run run)
    {
        var problems = new List<string>();
        for (var i = 0; i < blocks.Count; i++)
        {
            if (!run.Blocks.TryGetValue(i, out var outcome))
            {
                problems.Add(run.TimedOut ? $"the walkthrough timed out before README line {blocks[i].Line}" : $"README line {blocks[i].Line} was never reached");
                break;
            }
            var errors = outcome.Statuses.Where(s => s is < 200 or > 299).ToList();
            if (outcome.Failure is not null)
                problems.Add(Describe(blocks[i], outcome, $"a command failed: {outcome.Failure}"));
            else if (!errors.SequenceEqual(blocks[i].ExpectedErrors))
                problems.Add(Describe(blocks[i], outcome,
                    $"its curls answered [{string.Join(", ", outcome.Statuses)}]; the README shows the errors [{string.Join(", ", blocks[i].ExpectedErrors)}] and every other answer must be 2xx"));
        }
        if (problems.Count == 0 && !run.Finished) problems.Add("the walkthrough did not finish");
        return problems;
    }

    static string Describe(Block block, Outcome outcome, string what) =>
        $"README line {block.Line}: {what}\n--- block ---\n{block.Text}\n--- stdout ---\n{Tail(outcome.Stdout)}\n--- stderr ---\n{Tail(outcome.Stderr)}";

    static string Tail(string text) => text.Length <= 3000 ? text : "…" + text[^3000..];

    static string? PrintedAdminKey(IReadOnlyList<string> output)
    {
        var at = output.ToList().FindIndex(l => l.Contains("admin key of project 'default'", StringComparison.Ordinal));
        return at < 0 ? null : output.Skip(at + 1).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("phk_", StringComparison.Ordinal));
    }

    /// <summary>The repository's root, above tests/PromptHub.Tests/bin/&lt;configuration&gt;/&lt;framework&gt;/.</summary>
    static string RepositoryRoot() => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    [GeneratedRegex(@"^(?<indent>\s*)```(?<language>\S*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^(?:HTTP/\S+ )?([1-5][0-9]{2})\b")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^(?<export>\s*(?:export\s+)?)(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?!\$\().*…")]
    private static partial Regex PasteLine();

    [GeneratedRegex(@"^::block ([0-9]+)$")]
    private static partial Regex BlockMarker();
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace PromptHub.Tests.Client;

/// <summary>The sample console app (samples/PromptHub.Sample), run as a user runs it: against a running PromptHub, and with none.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task The_sample_gets_renders_and_reports_the_example_prompts_against_a_running_server()
    {
        var database = TestDatabase.NewName();
        try
        {
            var connectionString = await TestDatabase.CreateAsync(database);
            using var server = new AppProcess(connectionString, new Dictionary<string, string> { ["PromptHub:SeedExamples"] = "true" });
            await server.WaitUntilReadyAsync();
            var baseUrl = new Uri($"http://127.0.0.1:{server.Port}");
            using var admin = new HttpClient { BaseAddress = baseUrl };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppProcess.AdminKey);
            var key = await (await admin.PostAsJsonAsync("/api/v1/keys", new { name = "sample", role = "reader" })).ReadJsonAsync(HttpStatusCode.Created);

            var (exit, output) = await RunSampleAsync(baseUrl, (string)key["secret"]!);
            Assert.True(exit == 0, string.Join('\n', output));
            Assert.Contains(output, l => l.StartsWith("examples/greeting v2 (production, Server)", StringComparison.Ordinal));
            Assert.Contains(output, l => l.StartsWith("examples/support/triage v1 (production, Cache)", StringComparison.Ordinal) || l.StartsWith("examples/support/triage v1 (production, Server)", StringComparison.Ordinal));
            Assert.Contains(output, l => l.Contains("Greet ada warmly on behalf of Analytical Engines", StringComparison.Ordinal));
            Assert.Contains("executions: 6 sent, 0 duplicates, 0 dropped, 0 refused, 0 of fallbacks not reported", output);

            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM analytics.executions", connection);
            Assert.Equal(6L, await count.ExecuteScalarAsync());
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public async Task With_no_server_the_sample_runs_on_its_configured_and_shipped_fallbacks()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        listener.Stop();

        var (exit, output) = await RunSampleAsync(closed, "phk_any");
        Assert.True(exit == 0, string.Join('\n', output));
        Assert.Contains(output, l => l.StartsWith("examples/greeting v- (production, ConfiguredFallback)", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Contains("Say hello to ada.", StringComparison.Ordinal));
        Assert.Contains(output, l => l.StartsWith("examples/support/triage v- (production, DefaultFallback)", StringComparison.Ordinal));
        Assert.Contains("executions: 0 sent, 0 duplicates, 0 dropped, 0 refused, 6 of fallbacks not reported", output);
    }

    /// <summary>The sample's build output sits beside the tests' in the repository (it is built with them).</summary>
    static async Task<(int Exit, List<string> Output)> RunSampleAsync(Uri baseUrl, string key)
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory); // tests/PromptHub.Tests/bin/<configuration>/<framework>/
        var (framework, configuration) = (tests.Name, tests.Parent!.Name);
        var root = tests.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var sample = Path.Combine(root, "samples", "PromptHub.Sample", "bin", configuration, framework, "PromptHub.Sample.dll");
        Assert.True(File.Exists(sample), $"the sample is built at {sample}");

        var start = new ProcessStartInfo("dotnet", [sample])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PromptHub__BaseUrl"] = baseUrl.ToString(), ["PromptHub__ApiKey"] = key, ["DOTNET_ENVIRONMENT"] = "Production" },
        };
        using var process = Process.Start(start)!;
        var output = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, [.. output]);
    }
}

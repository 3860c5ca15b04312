using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace PromptHub.Tests.Infrastructure;

/// <summary>The built app as a process of its own (what `dotnet run` starts), for what only a real process shows: its console and its exit.</summary>
public sealed class AppProcess : IDisposable
{
    /// <summary>The bootstrap admin key of project `default` on the process's database.</summary>
    public const string AdminKey = "process-test-admin-key-0123456789abcdef";

    readonly ConcurrentQueue<string> _output = new();

    public Process Process { get; }
    public int Port { get; } = FreePort();
    public IReadOnlyList<string> Output => [.. _output];

    public AppProcess(string connectionString, IDictionary<string, string>? settings = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PromptHub.Api.dll"), "--urls", $"http://127.0.0.1:{Port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__PromptHub"] = connectionString,
                ["PromptHub__BootstrapAdminKey"] = AdminKey,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        Process = Process.Start(start)!;
        Process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue("stderr: " + e.Data); };
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    /// <summary>
    /// Starts the app on a fresh database with <paramref name="settings"/>, which must stop it: asserts that
    /// it exits with 1 and one line on stderr, and returns that line and everything the process printed.
    /// </summary>
    public static async Task<(string Line, IReadOnlyList<string> Output)> RefusedStartAsync(IDictionary<string, string> settings)
    {
        var name = TestDatabase.NewName();
        try
        {
            using var app = new AppProcess(await TestDatabase.CreateAsync(name), settings);
            Assert.True(await app.ExitsWithinAsync(TimeSpan.FromSeconds(60)), "the app kept running");
            Assert.Equal(1, app.Process.ExitCode);
            var line = Assert.Single(app.Output, l => l.StartsWith("stderr: ", StringComparison.Ordinal));
            return (line["stderr: ".Length..], app.Output);
        }
        finally
        {
            await TestDatabase.DropAsync(name);
        }
    }

    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(2) };
        await HttpAssertions.EventuallyAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode),
            TimeSpan.FromSeconds(60));
    }

    /// <summary>True when the process ended within <paramref name="within"/>.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
            Process.WaitForExit(); // the rest of its output
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using PromptHub.Platform.Database;

namespace PromptHub.Tests.Jobs;

/// <summary>
/// The built app as its own process on its own throwaway PostgreSQL, so that the test can stop or
/// freeze that database under it and send SIGTERM, as an orchestrator does.
/// </summary>
public sealed class ShutdownTests : IDisposable
{
    static readonly TimeSpan Allowed = TimeSpan.FromSeconds(10);
    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("prompthub-shutdown-");

    public void Dispose()
    {
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task SIGTERM_ends_the_process_in_time_while_the_database_is_stopped() =>
        await ShutdownWithDatabaseAsync("stopped", cluster => cluster.StopServer(), _ => { });

    [Fact]
    public async Task SIGTERM_ends_the_process_in_time_while_the_database_hangs()
    {
        int[] frozen = [];
        await ShutdownWithDatabaseAsync("hanging", _ => frozen = Signal(ServerProcesses(Path.Combine(_folder.FullName, "hanging")), "STOP"), _ => Signal(frozen, "CONT"));
    }

    async Task ShutdownWithDatabaseAsync(string name, Action<LocalPostgres> breakDatabase, Action<LocalPostgres> repair)
    {
        using var cluster = LocalPostgres.Start(Path.Combine(_folder.FullName, name), "prompthub", throwaway: true);
        var port = FreePort();
        using var app = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PromptHub.Api.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__PromptHub"] = cluster.ConnectionString,
                ["PromptHub__BootstrapAdminKey"] = "shutdown-test-admin-key",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        })!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        app.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        app.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            await HttpAssertions.EventuallyAsync(async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode),
                TimeSpan.FromSeconds(60));
            await HttpAssertions.EventuallyAsync(() =>
            {
                Assert.Contains(output, line => line.Contains("Application started", StringComparison.Ordinal));
                return Task.CompletedTask;
            });

            breakDatabase(cluster);
            var clock = Stopwatch.StartNew();
            Signal([app.Id], "TERM");
            var exited = await app.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(40)).Token).ContinueWith(t => t.IsCompletedSuccessfully);
            clock.Stop();
            repair(cluster);
            Assert.True(exited && clock.Elapsed < Allowed,
                $"the app took {clock.Elapsed.TotalSeconds:0.0} s to stop with the database {name}:\n{string.Join("\n", output.TakeLast(20))}");
        }
        finally
        {
            if (!app.HasExited) app.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The postmaster and its children.</summary>
    static int[] ServerProcesses(string dataDirectory)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        var children = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
            .Select(d => int.Parse(d!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == postmaster);
        return [postmaster, .. children];
    }

    static int? ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (name) state ppid …"; the name may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    static int[] Signal(int[] pids, string signal)
    {
        if (pids.Length == 0) return pids;
        using var kill = Process.Start("kill", [$"-{signal}", .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))])!;
        kill.WaitForExit();
        return pids;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

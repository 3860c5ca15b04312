using System.Diagnostics;
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
        await ShutdownWithDatabaseAsync("stopped", cluster => cluster.StopServer(), () => { });

    [Fact]
    public async Task SIGTERM_ends_the_process_in_time_while_the_database_hangs()
    {
        int[] frozen = [];
        await ShutdownWithDatabaseAsync("hanging", _ => frozen = Signal(ServerProcesses(Path.Combine(_folder.FullName, "hanging")), "STOP"),
            () => Signal(frozen, "CONT"));
    }

    async Task ShutdownWithDatabaseAsync(string name, Action<LocalPostgres> breakDatabase, Action repair)
    {
        using var cluster = LocalPostgres.Start(Path.Combine(_folder.FullName, name), "prompthub", throwaway: true);
        using var app = new AppProcess(cluster.ConnectionString);
        await app.WaitUntilReadyAsync();
        breakDatabase(cluster);
        var clock = Stopwatch.StartNew();
        Signal([app.Process.Id], "TERM");
        var exited = await app.ExitsWithinAsync(TimeSpan.FromSeconds(40));
        clock.Stop();
        repair();
        Assert.True(exited && clock.Elapsed < Allowed,
            $"the app took {clock.Elapsed.TotalSeconds:0.0} s to stop with the database {name}:\n{string.Join("\n", app.Output.TakeLast(20))}");
        Assert.True(app.Process.ExitCode == 0, $"a clean stop, not a crash (exit code {app.Process.ExitCode}):\n{string.Join("\n", app.Output.TakeLast(20))}");
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
}

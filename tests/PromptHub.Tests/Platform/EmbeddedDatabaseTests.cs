using Npgsql;
using PromptHub.Platform.Database;

namespace PromptHub.Tests.Platform;

/// <summary>The app with no connection string: it starts its own PostgreSQL in a folder (what `dotnet run` does).</summary>
public sealed class EmbeddedApp(string dataDirectory) : AppFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:PromptHub"] = "",
        ["PromptHub:EmbeddedDatabase:DataDirectory"] = dataDirectory,
    };

    public override Task InitializeAsync() => Task.CompletedTask; // no test database: the app brings its own
}

public sealed class EmbeddedDatabaseTests : IDisposable
{
    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("prompthub-embedded-");

    [Fact]
    public async Task Without_a_connection_string_the_app_runs_on_its_own_postgres_and_keeps_data_between_runs()
    {
        var dataDirectory = Path.Combine(_folder.FullName, "pg");
        string readerSecret;
        await using (var first = new EmbeddedApp(dataDirectory))
        {
            var admin = first.Admin();
            Assert.Equal(HttpStatusCode.OK, (await first.Anonymous().GetAsync("/health/ready")).StatusCode);
            await (await admin.PostAsJsonAsync("/api/v1/prompts", new { name = "kept", type = "text" })).ReadJsonAsync(HttpStatusCode.Created);
            readerSecret = await first.CreateKeyAsync("reader");
        }
        // Stopped with the app: nothing listens on the folder any more. The factory's dispose can return
        // while the host's last singletons (the cluster among them) are still being disposed, and
        // `pg_ctl stop` takes a while on a loaded machine: allow it the same 30 s pg_ctl itself allows.
        await HttpAssertions.EventuallyAsync(() =>
        {
            Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")));
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30));

        // Keys and prompts are still there; no second project or bootstrap key was made.
        await using var second = new EmbeddedApp(dataDirectory);
        var prompt = await (await second.As(readerSecret).GetAsync("/api/v1/prompts/kept")).ReadJsonAsync(HttpStatusCode.OK);
        await (await second.Admin().GetAsync("/api/v1/prompts")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("kept", (string?)prompt["name"]);
    }

    [Fact]
    public async Task A_cluster_restarts_on_its_folder_with_its_data()
    {
        var dataDirectory = Path.Combine(_folder.FullName, "restart");
        using (var cluster = LocalPostgres.Start(dataDirectory, "restart_check"))
        {
            await using var connection = new NpgsqlConnection(cluster.ConnectionString);
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)", connection).ExecuteNonQueryAsync();
        }
        using var again = LocalPostgres.Start(dataDirectory, "restart_check");
        await using var reconnect = new NpgsqlConnection(again.ConnectionString);
        await reconnect.OpenAsync();
        Assert.Equal(42, (int)(await new NpgsqlCommand("SELECT v FROM kept", reconnect).ExecuteScalarAsync())!);
        Assert.Equal("127.0.0.1", new NpgsqlConnectionStringBuilder(again.ConnectionString).Host);
    }

    [Fact]
    public async Task After_a_crash_the_next_app_reuses_the_leftover_postgres_and_stops_it_when_it_ends()
    {
        var dataDirectory = Path.Combine(_folder.FullName, "crash");
        int postmaster;
        using (var crashed = EmbeddedProcess(dataDirectory))
        {
            await crashed.WaitUntilReadyAsync();
            // The first thing a newcomer sees, before the seconds initdb and the server's start take.
            Assert.Contains("starting the embedded PostgreSQL", crashed.Output[0], StringComparison.Ordinal);
            postmaster = Postmaster(dataDirectory);
            crashed.Process.Kill(); // SIGKILL: no shutdown code runs
            Assert.True(await crashed.ExitsWithinAsync(TimeSpan.FromSeconds(10)));
        }
        Assert.True(IsRunning(postmaster), "the killed app's PostgreSQL outlives it");

        using (var next = EmbeddedProcess(dataDirectory))
        {
            await next.WaitUntilReadyAsync();
            Assert.Equal(postmaster, Postmaster(dataDirectory));
            Signal(next.Process.Id, "TERM");
            Assert.True(await next.ExitsWithinAsync(TimeSpan.FromSeconds(40)), "the app kept running after SIGTERM");
            Assert.Equal(0, next.Process.ExitCode);
        }
        Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "the app that took the server over stopped it");
        await StoppedAsync(postmaster);
    }

    [Fact]
    public async Task A_process_that_attached_leaves_the_server_to_its_owner_until_the_owner_is_gone()
    {
        var dataDirectory = Path.Combine(_folder.FullName, "shared");
        using var owner = EmbeddedProcess(dataDirectory);
        await owner.WaitUntilReadyAsync();
        var postmaster = Postmaster(dataDirectory);

        // Like `create-admin-key` next to a running app: it ends, the app keeps its database.
        LocalPostgres.Start(dataDirectory).Dispose();
        Assert.True(IsRunning(postmaster), "an attached process stopped the server of a live owner");

        using var attached = LocalPostgres.Start(dataDirectory);
        owner.Process.Kill();
        Assert.True(await owner.ExitsWithinAsync(TimeSpan.FromSeconds(10)));
        Assert.True(IsRunning(postmaster));
        attached.Dispose();
        Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "the process that outlived the owner stopped the server");
        await StoppedAsync(postmaster);
    }

    static AppProcess EmbeddedProcess(string dataDirectory) => new("", new Dictionary<string, string>
    {
        ["PromptHub:EmbeddedDatabase:DataDirectory"] = dataDirectory,
        ["PromptHub:SeedExamples"] = "false",
    });

    static int Postmaster(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Alive and not a zombie (a stopped server's process may linger a moment as one).</summary>
    static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>pg_ctl returns once the pid file is gone; the process itself ends a moment later.</summary>
    static Task StoppedAsync(int postmaster) =>
        HttpAssertions.EventuallyAsync(() => { Assert.False(IsRunning(postmaster), $"postgres {postmaster} still runs"); return Task.CompletedTask; }, TimeSpan.FromSeconds(10));

    static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    [Fact]
    public void Without_postgres_binaries_start_fails_with_one_message_saying_what_to_do()
    {
        var error = Assert.Throws<LocalPostgresUnavailableException>(() =>
            LocalPostgres.Start(Path.Combine(_folder.FullName, "none"), "x", false, searchPath: "", packageRoot: "/nonexistent"));
        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("ConnectionStrings__PromptHub", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder.FullName, "none")));
    }

    public void Dispose()
    {
        // A failed test may leave a server running on its folder: stop it before the folder goes.
        foreach (var dataDirectory in _folder.GetDirectories()) LocalPostgres.StopOrphan(dataDirectory.FullName);
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

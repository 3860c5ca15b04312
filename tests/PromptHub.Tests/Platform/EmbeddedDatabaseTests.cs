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
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using Npgsql;
using PromptHub.Platform.Database;

namespace PromptHub.Tests.Infrastructure;

/// <summary>Where the test run's PostgreSQL server comes from.</summary>
public enum TestServerSource { Named, LocalBinaries, Container }

/// <summary>
/// One PostgreSQL server for the whole test run, the first of: the one named by PROMPTHUB_TEST_DATABASE
/// (a connection string whose user may create databases); a throwaway cluster of the machine's binaries
/// in a temporary folder, removed at exit; a `postgres:15` container (Testcontainers) when a Docker
/// endpoint answers. Each test class gets its own database, copied from a migrated template.
/// </summary>
public static class TestDatabase
{
    const string Template = "prompthub_test_template";
    static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>A new, migrated, empty database; returns its connection string.</summary>
    public static async Task<string> CreateAsync(string name)
    {
        var server = await Server.Value;
        await using (var connection = new NpgsqlConnection(With(server, "postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{Template}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return With(server, name);
    }

    public static async Task DropAsync(string name)
    {
        var server = await Server.Value;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(With(server, "postgres"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public static string NewName() => "t_" + Guid.NewGuid().ToString("N")[..16];

    public const string ContainerImage = "postgres:15";

    public const string NoServer =
        "The tests need a PostgreSQL server and found none. Any one of these will do: " +
        "(1) set PROMPTHUB_TEST_DATABASE to a connection string whose user may create databases; " +
        "(2) install PostgreSQL's server binaries (initdb, pg_ctl; Debian/Ubuntu: apt-get install postgresql); " +
        "(3) run a Docker engine, and the tests start a postgres:15 container themselves.";

    /// <summary>The first source that is there, in the order the class summary gives; null when there is none.</summary>
    public static TestServerSource? Choose(string? named, bool binariesFound, bool dockerAnswers) =>
        !string.IsNullOrWhiteSpace(named) ? TestServerSource.Named
        : binariesFound ? TestServerSource.LocalBinaries
        : dockerAnswers ? TestServerSource.Container
        : null;

    /// <summary>Testcontainers' own probe: null when no Docker endpoint answers (checked once, cached).</summary>
    static bool DockerAnswers() => DotNet.Testcontainers.Configurations.TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;

    static async Task<string> StartAsync()
    {
        var named = Environment.GetEnvironmentVariable("PROMPTHUB_TEST_DATABASE");
        var binaries = string.IsNullOrWhiteSpace(named) && LocalPostgres.BinariesAvailable();
        var source = Choose(named, binaries, string.IsNullOrWhiteSpace(named) && !binaries && DockerAnswers())
            ?? throw new InvalidOperationException(NoServer);
        var server = source switch
        {
            TestServerSource.Named => named!,
            TestServerSource.LocalBinaries => StartLocalCluster(),
            _ => await StartContainerAsync(),
        };
        await CreateTemplateAsync(server);
        return server;
    }

    /// <summary>Not run on machines without Docker (as where PromptHub is built): compiled, and its choice is tested.</summary>
    static async Task<string> StartContainerAsync()
    {
        var container = new Testcontainers.PostgreSql.PostgreSqlBuilder(ContainerImage).Build();
        await container.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return container.GetConnectionString();
    }

    static string StartLocalCluster()
    {
        RemoveStaleClusters();
        var folder = Directory.CreateTempSubdirectory(FolderPrefix);
        File.WriteAllText(Path.Combine(folder.FullName, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cluster = LocalPostgres.Start(Path.Combine(folder.FullName, "pg"), database: "postgres", throwaway: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.Dispose();
            try { folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return cluster.ConnectionString;
    }

    const string FolderPrefix = "prompthub-tests-";
    const string OwnerFile = "owner.pid";

    /// <summary>
    /// A test host can be ended before its exit handler has stopped its cluster: clusters of earlier runs
    /// whose test process is gone are stopped and their folders removed here.
    /// </summary>
    static void RemoveStaleClusters()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            var orphaned = File.Exists(owner)
                ? !int.TryParse(File.ReadAllText(owner), out var pid) || !IsRunning(pid)
                : DateTime.UtcNow - Directory.GetCreationTimeUtc(folder) > TimeSpan.FromMinutes(10);
            if (!orphaned) continue;
            LocalPostgres.StopOrphan(Path.Combine(folder, "pg"));
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Migrates a template database once; every test database is a cheap copy of it.</summary>
    static async Task CreateTemplateAsync(string server)
    {
        await using (var connection = new NpgsqlConnection(With(server, "postgres")))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Template}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Template}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        await MigrateAsync(With(server, Template));
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Applies the app's migrations to a database.</summary>
    public static async Task MigrateAsync(string connectionString)
    {
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<PromptHubDb>();
        DatabaseSetup.Configure(options, dataSource);
        await using var db = new PromptHubDb(options.Options);
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.MigrateAsync(db.Database);
    }

    static string With(string server, string database) =>
        new NpgsqlConnectionStringBuilder(server) { Database = database, Pooling = database != "postgres" }.ConnectionString;
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PromptHub.Platform.Database;

/// <summary>
/// Where the database is: the configured connection string, or else an embedded cluster this
/// process starts on first use and stops when the host is disposed.
/// </summary>
sealed class PostgresServer : IDisposable
{
    readonly LocalPostgres? _embedded;

    public string ConnectionString { get; }

    public PostgresServer(IConfiguration configuration, IHostEnvironment environment, ILogger<PostgresServer> log)
    {
        // Bound here, not through IOptions: the jobs dashboard builds this before the host starts, and the
        // settings' checks (PromptHubOptions) must fail inside the start, as one line.
        var settings = configuration.GetSection(PromptHubOptions.Section).Get<PromptHubOptions>() ?? new PromptHubOptions();
        var configured = configuration.GetConnectionString("PromptHub");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = WithPassword(configured, settings.DatabasePassword);
            return;
        }

        var dataDirectory = settings.EmbeddedDatabase.DataDirectory ?? DefaultDataDirectory(environment.ContentRootPath);
        log.LogInformation("No ConnectionStrings:PromptHub set: starting the embedded PostgreSQL in {DataDirectory}", dataDirectory);
        _embedded = LocalPostgres.Start(dataDirectory);
        log.LogInformation("Embedded PostgreSQL is listening on 127.0.0.1:{Port}", _embedded.Port);
        ConnectionString = _embedded.ConnectionString;
    }

    /// <summary>
    /// The password given apart from the connection string (docker-compose passes POSTGRES_PASSWORD so):
    /// set through the builder, a password with `;`, `=` or quotes cannot break or extend the string.
    /// </summary>
    internal static string WithPassword(string connectionString, string? password) =>
        string.IsNullOrEmpty(password) ? connectionString
            : new NpgsqlConnectionStringBuilder(connectionString) { Password = password }.ConnectionString;

    /// <summary>`.prompthub/pg` at the repository root (found by PromptHub.sln), else under the content root.</summary>
    static string DefaultDataDirectory(string contentRoot)
    {
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PromptHub.sln")))
            {
                return Path.Combine(dir.FullName, ".prompthub", "pg");
            }
        }
        return Path.Combine(contentRoot, ".prompthub", "pg");
    }

    public void Dispose() => _embedded?.Dispose();
}

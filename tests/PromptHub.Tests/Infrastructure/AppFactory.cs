using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PromptHub.Tests.Infrastructure;

/// <summary>
/// The app on its own fresh database, talked to over HTTP. The bootstrap admin key of project
/// `default` is <see cref="AdminSecret"/>; rate limits are out of the way unless a test sets them.
/// </summary>
public class AppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly bool _ownsDatabase = true;

    public AppFactory()
    {
    }

    /// <summary>Another instance of the app on <paramref name="first"/>'s database (same admin key), as in a cluster.</summary>
    public static AppFactory Joining(AppFactory first) => new(first.ConnectionString, first.AdminSecret);

    /// <summary>An instance on an existing database, which it neither creates nor drops.</summary>
    public static AppFactory On(string connectionString, string adminSecret) => new(connectionString, adminSecret);

    protected AppFactory(string connectionString, string adminSecret)
    {
        (ConnectionString, AdminSecret, _ownsDatabase) = (connectionString, adminSecret, false);
    }

    public string DatabaseName { get; } = TestDatabase.NewName();
    public string ConnectionString { get; private set; } = "";
    public string AdminSecret { get; } = "test-admin-" + Guid.NewGuid().ToString("N");
    public CapturedLogs Logs { get; } = new();

    /// <summary>Settings a test class overrides (rate limits, switches).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>More settings, given before the app is first used (values known only at run time).</summary>
    public Dictionary<string, string?> With { get; } = [];

    public virtual async Task InitializeAsync()
    {
        if (_ownsDatabase) ConnectionString = await TestDatabase.CreateAsync(DatabaseName);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_ownsDatabase) await TestDatabase.DropAsync(DatabaseName);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:PromptHub"] = ConnectionString,
            ["PromptHub:BootstrapAdminKey"] = AdminSecret,
            ["PromptHub:SeedExamples"] = "false",
            ["PromptHub:RateLimits:Admin:PermitsPerSecond"] = "100000",
            ["PromptHub:RateLimits:Admin:Burst"] = "100000",
            ["PromptHub:RateLimits:Ops:PermitsPerSecond"] = "100000",
            ["PromptHub:RateLimits:Ops:Burst"] = "100000",
            // Two Hangfire workers per app: test apps share one PostgreSQL (each worker holds a LISTEN connection).
            ["PromptHub:Jobs:Workers"] = "2",
        };
        foreach (var (key, value) in Settings) settings[key] = value;
        foreach (var (key, value) in With) settings[key] = value;
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        builder.ConfigureServices(services => services.AddSingleton<Serilog.Core.ILogEventSink>(Logs));
    }

    /// <summary>A client with no key.</summary>
    public HttpClient Anonymous() => CreateClient();

    /// <summary>A client that sends <paramref name="secret"/> as its bearer key.</summary>
    public HttpClient As(string secret)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public HttpClient Admin() => As(AdminSecret);

    /// <summary>A new key of the default project with that role; returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string role, string? name = null)
    {
        var response = await Admin().PostAsJsonAsync("/api/v1/keys", new { name = name ?? $"{role}-key", role });
        var body = await response.ReadJsonAsync(System.Net.HttpStatusCode.Created);
        return (string)body["secret"]!;
    }

    /// <summary>A new project; returns its first admin key's secret.</summary>
    public async Task<string> CreateProjectAsync(string slug)
    {
        var response = await Admin().PostAsJsonAsync("/api/v1/projects", new { slug, name = $"Project {slug}" });
        var body = await response.ReadJsonAsync(System.Net.HttpStatusCode.Created);
        return (string)body["adminKey"]!["secret"]!;
    }

    /// <summary>One value from this test's database (for checks that no HTTP call can see).</summary>
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

using System.Diagnostics;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace PromptHub.Tests.Platform;

/// <summary>
/// docker-compose.yml and the Dockerfile, read as Compose and Docker would (no Docker engine here), and
/// the app-side pieces they rely on run for real: the health probe and the password given apart.
/// </summary>
public sealed class DeploymentTests
{
    static readonly string Root = RepositoryRoot();

    [Fact]
    public void Compose_refuses_to_start_without_an_admin_key_or_a_database_password()
    {
        var app = Variables(Service("app"));
        Assert.StartsWith("${PROMPTHUB_ADMIN_KEY:?", app["PromptHub__BootstrapAdminKey"], StringComparison.Ordinal);
        Assert.StartsWith("${POSTGRES_PASSWORD:?", app["PromptHub__DatabasePassword"], StringComparison.Ordinal);
        Assert.StartsWith("${POSTGRES_PASSWORD:?", Variables(Service("db"))["POSTGRES_PASSWORD"], StringComparison.Ordinal);
        // No default anywhere: `${X:-…}` would make a public value work.
        Assert.DoesNotContain(":-", File.ReadAllText(Path.Combine(Root, "docker-compose.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_keeps_the_database_password_out_of_the_connection_string()
    {
        var connectionString = Variables(Service("app"))["ConnectionStrings__PromptHub"];
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal("db", parsed.Host);
        Assert.Null(parsed.Password);
        Assert.DoesNotContain("$", connectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_checks_the_app_with_a_probe_the_image_has_which_fails_unless_ready()
    {
        var check = ((YamlSequenceNode)((YamlMappingNode)Service("app")["healthcheck"])["test"]).Select(n => ((YamlScalarNode)n).Value!).ToArray();
        Assert.Equal(["CMD", "dotnet", "/app/PromptHub.Api.dll", "check-health"], check[..4]);
        var url = new Uri(check[4]);
        Assert.Equal("/health/ready", url.AbsolutePath);

        // The runtime stage has dotnet (an aspnet image), publishes to /app and listens where the probe asks.
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var runtime = dockerfile[dockerfile.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        Assert.Contains("mcr.microsoft.com/dotnet/aspnet:", runtime, StringComparison.Ordinal);
        Assert.Contains("WORKDIR /app\n", runtime, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /app ./", runtime, StringComparison.Ordinal);
        Assert.Contains($"ASPNETCORE_URLS=http://+:{url.Port}", runtime, StringComparison.Ordinal);
        Assert.Contains(((YamlSequenceNode)Service("app")["ports"]).Select(p => ((YamlScalarNode)p).Value!), p => p.EndsWith($":{url.Port}", StringComparison.Ordinal));

        // The same command against a running app: 0 when ready, 1 for any other answer or none.
        var database = TestDatabase.NewName();
        try
        {
            using var app = new AppProcess(await TestDatabase.CreateAsync(database));
            await app.WaitUntilReadyAsync();
            Assert.Equal((0, ""), await ProbeAsync($"http://127.0.0.1:{app.Port}{url.AbsolutePath}"));
            var notFound = $"http://127.0.0.1:{app.Port}/health/no-such-probe";
            Assert.Equal((1, $"{notFound} answered 404."), await ProbeAsync(notFound));
            app.Process.Kill();
            Assert.True(await app.ExitsWithinAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(1, (await ProbeAsync($"http://127.0.0.1:{app.Port}{url.AbsolutePath}")).ExitCode);
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public async Task A_database_password_given_apart_may_hold_any_character()
    {
        var name = TestDatabase.NewName();
        var role = "pw_" + Guid.NewGuid().ToString("N")[..12];
        const string password = "p;a'ss\"w=rd {x} Host=elsewhere;";
        var connectionString = await TestDatabase.CreateAsync(name);
        try
        {
            await ExecuteAsync(connectionString, $"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'");
            var withoutPassword = new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Password = null }.ConnectionString;
            await using var app = AppFactory.On(withoutPassword, "deploy-admin-" + Guid.NewGuid().ToString("N"));
            app.With["PromptHub:DatabasePassword"] = password;

            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
            await (await app.Admin().PostAsJsonAsync("/api/v1/prompts", new { name = "via-role", type = "text" })).ReadJsonAsync(HttpStatusCode.Created);
            // The app's connections are the role's: the password reached PostgreSQL whole.
            Assert.Equal(true, await ScalarAsync(connectionString, $"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE usename = '{role}' AND datname = '{name}')"));
        }
        finally
        {
            await TestDatabase.DropAsync(name);
            await ExecuteAsync(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString, $"DROP ROLE IF EXISTS {role}");
        }
    }

    static YamlMappingNode Service(string name)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"))) yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])[name];
    }

    static Dictionary<string, string> Variables(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);

    static async Task<(int ExitCode, string Error)> ProbeAsync(string url)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PromptHub.Api.dll"), "check-health", url])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var probe = Process.Start(start)!;
        var error = await probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync();
        return (probe.ExitCode, error.Trim());
    }

    static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docker-compose.yml"))) return dir.FullName;
        }
        throw new InvalidOperationException("docker-compose.yml not found above " + AppContext.BaseDirectory);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PromptHub.Platform.Database;

static class DatabaseSetup
{
    public const string MigrationsAssembly = "PromptHub.Migrations";

    public static void AddDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PostgresServer>();
        builder.Services.AddSingleton(sp => new NpgsqlDataSourceBuilder(sp.GetRequiredService<PostgresServer>().ConnectionString).Build());
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddHostedService<ChangeListener>();
        // Modules may watch the context (IInterceptor): notifications enqueue a delivery after a commit.
        builder.Services.AddDbContext<PromptHubDb>((sp, options) =>
            Configure(options.AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>()), sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHealthChecks().AddDbContextCheck<PromptHubDb>("database", tags: ["ready"]);
    }

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));

    /// <summary>Applies pending migrations when PromptHub:MigrateOnStartup is on (the default).</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<PromptHubOptions>>().Value.MigrateOnStartup) return;
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PromptHubDb>().Database.MigrateAsync();
    }
}

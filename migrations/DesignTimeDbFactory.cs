using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using PromptHub.Platform.Database;

namespace PromptHub.Migrations;

/// <summary>
/// Lets `dotnet ef` build the model without starting the app. Adding a migration or scripting one
/// (`dotnet ef migrations script --idempotent`) connects to nothing, so the connection string is a placeholder;
/// `dotnet ef database update` uses ConnectionStrings__PromptHub when it is set.
/// </summary>
sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<PromptHubDb>
{
    public PromptHubDb CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__PromptHub")
            ?? "Host=127.0.0.1;Database=prompthub;Username=prompthub";
        var options = new DbContextOptionsBuilder<PromptHubDb>();
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(DatabaseSetup.MigrationsAssembly));
        return new PromptHubDb(options.Options);
    }
}

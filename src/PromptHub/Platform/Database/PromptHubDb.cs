using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace PromptHub.Platform.Database;

/// <summary>
/// The one EF Core model. Each module maps its own entities (IEntityTypeConfiguration in its folder,
/// tables in its own schema) and exposes its sets as extension properties, so this class knows no module.
/// </summary>
public sealed class PromptHubDb(DbContextOptions<PromptHubDb> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core Data Protection's key ring, shared by every instance (mapped by the Access module).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PromptHubDb).Assembly);
    }

    /// <summary>snake_case for every table, column, key and index, at run time and for `dotnet ef` alike.</summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseSnakeCaseNamingConvention();
}

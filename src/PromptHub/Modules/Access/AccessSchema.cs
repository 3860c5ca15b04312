using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

static class AccessSchema
{
    public const string Name = "access";

    extension(PromptHubDb db)
    {
        public DbSet<Project> Projects => db.Set<Project>();
        public DbSet<ApiKey> ApiKeys => db.Set<ApiKey>();
    }
}

sealed class ProjectMapping : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> entity)
    {
        entity.ToTable("projects", AccessSchema.Name);
        entity.HasKey(p => p.Id);
        entity.Property(p => p.Slug).HasMaxLength(64);
        entity.Property(p => p.Name).HasMaxLength(200);
        entity.HasIndex(p => p.Slug).IsUnique();
    }
}

sealed class ApiKeyMapping : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> entity)
    {
        entity.ToTable("api_keys", AccessSchema.Name, table =>
            table.HasCheckConstraint("ck_api_keys_role", EnumColumns.CheckIn<ApiKeyRole>("role")));
        entity.HasKey(k => k.Id);
        entity.Property(k => k.Name).HasMaxLength(100);
        entity.Property(k => k.PublicId).HasMaxLength(64);
        entity.HasIndex(k => k.PublicId).IsUnique();
        entity.Property(k => k.Role).AsLowerCaseText();
        entity.HasIndex(k => k.SecretHash).IsUnique();
        entity.HasIndex(k => k.ProjectId);
        entity.HasOne<Project>().WithMany().HasForeignKey(k => k.ProjectId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_api_keys_projects_project_id"); // the name the first migration gave it
    }
}

sealed class DataProtectionKeyMapping : IEntityTypeConfiguration<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> entity) =>
        entity.ToTable("data_protection_keys", AccessSchema.Name);
}

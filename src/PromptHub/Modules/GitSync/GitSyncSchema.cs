using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;

using PromptHub.Platform;

namespace PromptHub.Modules.GitSync;

static class GitSyncSchema
{
    public const string Name = "gitsync";

    extension(PromptHubDb db)
    {
        public DbSet<GitSource> GitSources => db.Set<GitSource>();
        public DbSet<GitFile> GitFiles => db.Set<GitFile>();
        public DbSet<GitFetch> GitFetches => db.Set<GitFetch>();
    }
}

sealed class GitSourceMapping : IEntityTypeConfiguration<GitSource>
{
    public void Configure(EntityTypeBuilder<GitSource> entity)
    {
        entity.ToTable("sources", GitSyncSchema.Name, table =>
            table.HasCheckConstraint("ck_sources_last_result", EnumColumns.CheckIn<SyncResult>("last_result")));
        entity.HasKey(s => s.ProjectId);
        entity.Property(s => s.Url).HasMaxLength(GitSource.MaxUrlLength);
        entity.Property(s => s.Branch).HasMaxLength(GitSource.MaxBranchLength);
        entity.Property(s => s.Path).HasMaxLength(GitSource.MaxPathLength);
        entity.Property(s => s.Username).HasMaxLength(200);
        entity.Property(s => s.UpdatedBy).HasMaxLength(100);
        entity.Property(s => s.LastCommit).HasMaxLength(64);
        // Nullable (never synced): EF applies the enum's converter to the values that are set.
        entity.Property(s => s.LastResult).HasMaxLength(16)
            .HasConversion(new ValueConverter<SyncResult, string>(v => EnumText.Lower(v), t => Enum.Parse<SyncResult>(t, true)));
        entity.Property(s => s.LastError).HasMaxLength(2000);
        entity.Property(s => s.FileErrors).HasColumnType("jsonb");
        entity.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class GitFileMapping : IEntityTypeConfiguration<GitFile>
{
    public void Configure(EntityTypeBuilder<GitFile> entity)
    {
        entity.ToTable("files", GitSyncSchema.Name);
        entity.HasKey(f => new { f.ProjectId, f.FilePath });
        entity.Property(f => f.FilePath).HasMaxLength(1000);
        entity.Property(f => f.BlobSha).HasMaxLength(64);
        entity.Property(f => f.PromptName).HasMaxLength(128);
        entity.Property(f => f.CommitSha).HasMaxLength(64);
        // Disconnecting forgets what was imported from where (the versions stay).
        entity.HasOne<GitSource>().WithMany().HasForeignKey(f => f.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class GitFetchMapping : IEntityTypeConfiguration<GitFetch>
{
    public void Configure(EntityTypeBuilder<GitFetch> entity)
    {
        entity.ToTable("fetches", GitSyncSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_fetches_result", EnumColumns.CheckIn<SyncResult>("result"));
            table.HasCheckConstraint("ck_fetches_trigger", EnumColumns.CheckIn<FetchTrigger>("trigger"));
        });
        entity.HasKey(f => f.Id);
        entity.Property(f => f.Id).UseIdentityAlwaysColumn();
        entity.Property(f => f.Trigger).AsLowerCaseText();
        entity.Property(f => f.Commit).HasMaxLength(64);
        entity.Property(f => f.Result).AsLowerCaseText();
        entity.Property(f => f.Error).HasMaxLength(2000);
        entity.HasIndex(f => new { f.ProjectId, f.StartedAt });
        entity.HasOne<GitSource>().WithMany().HasForeignKey(f => f.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

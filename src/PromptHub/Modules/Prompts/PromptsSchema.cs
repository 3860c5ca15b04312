using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

static class PromptsSchema
{
    public const string Name = "prompts";

    extension(PromptHubDb db)
    {
        public DbSet<Prompt> Prompts => db.Set<Prompt>();
        public DbSet<PromptVersion> PromptVersions => db.Set<PromptVersion>();
        public DbSet<Label> Labels => db.Set<Label>();
        public DbSet<LabelMove> LabelMoves => db.Set<LabelMove>();
    }
}

sealed class PromptMapping : IEntityTypeConfiguration<Prompt>
{
    public void Configure(EntityTypeBuilder<Prompt> entity)
    {
        entity.ToTable("prompts", PromptsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_prompts_type", EnumColumns.CheckIn<PromptType>("type"));
            table.HasCheckConstraint("ck_prompts_latest_version", "latest_version >= 0");
        });
        entity.HasKey(p => p.Id);
        entity.Property(p => p.Name).HasMaxLength(PromptRules.MaxNameLength);
        entity.Property(p => p.Type).AsLowerCaseText();
        entity.Property(p => p.Description).HasMaxLength(2000);
        // A name is unique among a project's live prompts; an archived prompt frees its name.
        entity.HasIndex(p => new { p.ProjectId, p.Name }).IsUnique().HasFilter("archived_at IS NULL");
        entity.HasIndex(p => p.Tags).HasMethod("gin");
        entity.HasOne<Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class PromptVersionMapping : IEntityTypeConfiguration<PromptVersion>
{
    public void Configure(EntityTypeBuilder<PromptVersion> entity)
    {
        entity.ToTable("prompt_versions", PromptsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_prompt_versions_version", "version > 0");
            table.HasCheckConstraint("ck_prompt_versions_type", EnumColumns.CheckIn<PromptType>("type"));
            table.HasCheckConstraint("ck_prompt_versions_change_type", "change_type IN ('initial', 'prompt', 'config', 'both')");
            table.HasCheckConstraint("ck_prompt_versions_content", "(template IS NULL) <> (messages IS NULL)");
            table.HasCheckConstraint("ck_prompt_versions_template_format", EnumColumns.CheckIn<TemplateFormat>("template_format"));
        });
        entity.HasKey(v => new { v.PromptId, v.Version });
        entity.Property(v => v.Type).AsLowerCaseText();
        entity.Property(v => v.ChangeType).AsLowerCaseText();
        entity.Property(v => v.TemplateFormat).AsLowerCaseText();
        entity.Property(v => v.Messages).HasColumnType("jsonb");
        entity.Property(v => v.Config).HasColumnType("jsonb");
        entity.Property(v => v.CommitMessage).HasMaxLength(2000);
        entity.Property(v => v.Author).HasMaxLength(100);
        entity.Property(v => v.ContentHash).HasMaxLength(64);
        entity.HasIndex(v => v.ProjectId);
        entity.HasOne<Prompt>().WithMany().HasForeignKey(v => v.PromptId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LabelMapping : IEntityTypeConfiguration<Label>
{
    public void Configure(EntityTypeBuilder<Label> entity)
    {
        entity.ToTable("labels", PromptsSchema.Name);
        entity.HasKey(l => new { l.PromptId, l.Name });
        entity.Property(l => l.Name).HasMaxLength(36);
        entity.HasIndex(l => l.ProjectId);
        entity.HasOne<PromptVersion>().WithMany().HasForeignKey(l => new { l.PromptId, l.Version }).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class LabelMoveMapping : IEntityTypeConfiguration<LabelMove>
{
    public void Configure(EntityTypeBuilder<LabelMove> entity)
    {
        entity.ToTable("label_moves", PromptsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_label_moves_action", EnumColumns.CheckIn<LabelAction>("action"));
            table.HasCheckConstraint("ck_label_moves_percent", "percent BETWEEN 0 AND 100");
        });
        entity.HasKey(m => m.Id);
        entity.Property(m => m.Id).UseIdentityAlwaysColumn();
        entity.Property(m => m.Label).HasMaxLength(36);
        entity.Property(m => m.Action).AsLowerCaseText();
        entity.Property(m => m.Reason).HasMaxLength(2000);
        entity.Property(m => m.Actor).HasMaxLength(100);
        entity.Property(m => m.Experiment).HasMaxLength(64);
        entity.HasIndex(m => new { m.PromptId, m.Label, m.Id });
        entity.HasIndex(m => m.ProjectId);
        entity.HasOne<PromptVersion>().WithMany().HasForeignKey(m => new { m.PromptId, m.ToVersion }).OnDelete(DeleteBehavior.Restrict);
    }
}

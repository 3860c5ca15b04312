using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Experiments;

static class ExperimentsSchema
{
    public const string Name = "experiments";

    extension(PromptHubDb db)
    {
        public DbSet<Experiment> Experiments => db.Set<Experiment>();
    }
}

sealed class ExperimentMapping : IEntityTypeConfiguration<Experiment>
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<Experiment> entity)
    {
        entity.ToTable("experiments", ExperimentsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_experiments_status", EnumColumns.CheckIn<ExperimentStatus>("status"));
            table.HasCheckConstraint("ck_experiments_kind", EnumColumns.CheckIn<ExperimentKind>("kind"));
            table.HasCheckConstraint("ck_experiments_primary_metric", EnumColumns.CheckIn<ExperimentMetric>("primary_metric"));
            table.HasCheckConstraint("ck_experiments_min_samples", "min_samples_per_variant > 0");
        });
        entity.HasKey(e => e.Id);
        entity.Property(e => e.Key).HasMaxLength(Experiment.MaxKeyLength);
        entity.Property(e => e.Kind).AsLowerCaseText();
        entity.Property(e => e.PromptName).HasMaxLength(PromptRules.MaxNameLength);
        entity.Property(e => e.Label).HasMaxLength(36);
        entity.Property(e => e.Description).HasMaxLength(2000);
        entity.Property(e => e.Seed).HasMaxLength(200);
        entity.Property(e => e.PrimaryMetric).AsLowerCaseText();
        entity.Property(e => e.Status).AsLowerCaseText();
        entity.Property(e => e.Variants).HasColumnType("jsonb").HasConversion(
            variants => JsonSerializer.Serialize(variants, Json),
            text => JsonSerializer.Deserialize<ExperimentVariant[]>(text, Json)!,
            new ValueComparer<ExperimentVariant[]>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, HashCode.Combine), v => v.ToArray()));
        entity.Property(e => e.Winner).HasMaxLength(Experiment.MaxKeyLength);
        entity.Property(e => e.StopReason).HasMaxLength(2000);
        entity.Property(e => e.CreatedBy).HasMaxLength(100);
        entity.Property(e => e.StartedBy).HasMaxLength(100);
        entity.Property(e => e.StoppedBy).HasMaxLength(100);
        entity.HasIndex(e => new { e.ProjectId, e.Key }).IsUnique();
        // At most one running experiment or rollout per prompt and label, whatever the code does.
        entity.HasIndex(e => new { e.PromptId, e.Label }).IsUnique().HasFilter("status = 'running'");
        entity.HasOne<Project>().WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Prompt>().WithMany().HasForeignKey(e => e.PromptId).OnDelete(DeleteBehavior.Cascade)
            .HasConstraintName("fk_experiments_prompts_prompt_id"); // the name its migration gave it
    }
}

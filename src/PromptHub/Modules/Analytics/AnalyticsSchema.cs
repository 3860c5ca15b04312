using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Analytics;

static class AnalyticsSchema
{
    public const string Name = "analytics";

    extension(PromptHubDb db)
    {
        public DbSet<Backfill> Backfills => db.Set<Backfill>();
    }
}

sealed class ExecutionMapping : IEntityTypeConfiguration<Execution>
{
    public void Configure(EntityTypeBuilder<Execution> entity)
    {
        entity.ToTable("executions", AnalyticsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_executions_numbers", "latency_ms >= 0 AND input_tokens >= 0 AND output_tokens >= 0 AND cost_usd >= 0 AND version > 0");
        });
        entity.HasKey(e => new { e.ProjectId, e.Id });
        entity.Property(e => e.Id).HasMaxLength(128);
        entity.Property(e => e.Label).HasMaxLength(36);
        entity.Property(e => e.Experiment).HasMaxLength(64);
        entity.Property(e => e.Variant).HasMaxLength(64);
        entity.Property(e => e.Subject).HasMaxLength(256);
        entity.Property(e => e.Model).HasMaxLength(128);
        entity.Property(e => e.CostUsd).HasPrecision(20, 10);
        entity.Property(e => e.Metadata).HasColumnType("jsonb");
        // The daily roll-up and retention read by time: rows arrive roughly in time order, so a BRIN
        // index (a few pages, next to nothing to maintain) finds a day's rows. Analytics of today read
        // by prompt and time, through a btree.
        entity.HasIndex(e => e.OccurredAt).HasMethod("brin");
        entity.HasIndex(e => new { e.ProjectId, e.PromptId, e.OccurredAt });
        // Experiment results read one experiment's rows; only those rows are in this index.
        entity.HasIndex(e => new { e.ProjectId, e.Experiment, e.Variant }).HasFilter("experiment IS NOT NULL");
        // No foreign key to projects here: its check would lock the project's row once per ingested row
        // (FOR KEY SHARE), which concurrent batches of one project contend on. The API only ever writes
        // the caller's own, existing project.
    }
}

sealed class DailyStatMapping : IEntityTypeConfiguration<DailyStat>
{
    public void Configure(EntityTypeBuilder<DailyStat> entity)
    {
        entity.ToTable("daily_stats", AnalyticsSchema.Name);
        entity.HasKey(s => new { s.ProjectId, s.PromptId, s.Version, s.Experiment, s.Variant, s.Day });
        entity.Property(s => s.Experiment).HasMaxLength(64);
        entity.Property(s => s.Variant).HasMaxLength(64);
        entity.Property(s => s.CostUsd).HasPrecision(20, 10);
        // The names the first migration gave them (the naming convention would write latency_p50ms).
        entity.Property(s => s.LatencyP50Ms).HasColumnName("latency_p50_ms");
        entity.Property(s => s.LatencyP95Ms).HasColumnName("latency_p95_ms");
        entity.HasIndex(s => new { s.ProjectId, s.Day });
        entity.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

// The two tables of roll-up days keep the names the first migration gave them.
sealed class RolledUpDayMapping : IEntityTypeConfiguration<RolledUpDay>
{
    public void Configure(EntityTypeBuilder<RolledUpDay> entity)
    {
        entity.ToTable("aggregated_days", AnalyticsSchema.Name);
        entity.HasKey(d => d.Day);
        entity.Property(d => d.RolledUpAt).HasColumnName("aggregated_at");
    }
}

sealed class DayToRollUpMapping : IEntityTypeConfiguration<DayToRollUp>
{
    public void Configure(EntityTypeBuilder<DayToRollUp> entity)
    {
        entity.ToTable("dirty_days", AnalyticsSchema.Name);
        entity.HasKey(d => d.Day);
        entity.Property(d => d.ChangedAt).HasColumnName("marked_at");
    }
}

sealed class BackfillMapping : IEntityTypeConfiguration<Backfill>
{
    public void Configure(EntityTypeBuilder<Backfill> entity)
    {
        entity.ToTable("backfills", AnalyticsSchema.Name);
        entity.HasKey(b => b.Id);
        entity.Property(b => b.JobId).HasMaxLength(32);
        entity.HasIndex(b => b.ProjectId);
        entity.HasOne<Project>().WithMany().HasForeignKey(b => b.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

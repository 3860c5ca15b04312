using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Analytics;

/// <summary>
/// One use of a prompt version by an LLM service. Written in bulk by <see cref="ExecutionIngest"/>
/// (binary COPY), read and rolled up with SQL; the entity exists for the schema.
/// </summary>
sealed partial class Execution
{
    /// <summary>Ids travel in paths (`/executions/{id}/outcome`): letters, digits and `._:@-`, up to 128.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._:@-]{1,128}$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    public Guid ProjectId { get; private set; }
    /// <summary>The client's id for it: the idempotency key.</summary>
    public string Id { get; private set; } = "";
    public Guid PromptId { get; private set; }
    public int Version { get; private set; }
    public string? Label { get; private set; }
    public string? Experiment { get; private set; }
    public string? Variant { get; private set; }
    public string? Subject { get; private set; }
    public double LatencyMs { get; private set; }
    public int InputTokens { get; private set; }
    public int OutputTokens { get; private set; }
    public decimal CostUsd { get; private set; }
    public string? Model { get; private set; }
    public bool Success { get; private set; }
    public double? Score { get; private set; }
    /// <summary>A business value reported with the outcome (a trade's R-multiple, a rating…).</summary>
    public double? Value { get; private set; }
    public string? Error { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public string? RenderedPrompt { get; private set; }
    public string? Response { get; private set; }
    public string? Metadata { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
    public DateTimeOffset? OutcomeAt { get; private set; }
}

/// <summary>Per project, prompt, version, experiment variant and UTC day: written only by <see cref="DailyAggregation"/>.</summary>
sealed class DailyStat
{
    public Guid ProjectId { get; private set; }
    public Guid PromptId { get; private set; }
    public int Version { get; private set; }
    /// <summary>Empty when the executions were not part of an experiment.</summary>
    public string Experiment { get; private set; } = "";
    public string Variant { get; private set; } = "";
    public DateOnly Day { get; private set; }
    public long Executions { get; private set; }
    public long Successes { get; private set; }
    public long Errors { get; private set; }
    public double LatencyAvgMs { get; private set; }
    public double LatencyP50Ms { get; private set; }
    public double LatencyP95Ms { get; private set; }
    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }
    public decimal CostUsd { get; private set; }
    public double ScoreSum { get; private set; }
    public long ScoreCount { get; private set; }
    public double ValueSum { get; private set; }
    public long ValueCount { get; private set; }
}

/// <summary>A UTC day whose raw executions have been rolled up (for every project).</summary>
sealed class AggregatedDay
{
    public DateOnly Day { get; private set; }
    public DateTimeOffset AggregatedAt { get; private set; }
}

/// <summary>A past day that received executions or outcomes after it was rolled up: to roll up again.</summary>
sealed class DirtyDay
{
    public DateOnly Day { get; private set; }
    public DateTimeOffset MarkedAt { get; private set; }
}

/// <summary>
/// A re-aggregation of a date range asked for by an admin: whose, which days, how far it got, and the
/// Hangfire job that runs it (whose state is the backfill's state).
/// </summary>
sealed class Backfill
{
    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public DateOnly FirstDay { get; private set; }
    public DateOnly LastDay { get; private set; }
    public string? JobId { get; private set; }
    public int DaysDone { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
}

static class AnalyticsSchema
{
    public const string Name = "analytics";
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

sealed class AggregatedDayMapping : IEntityTypeConfiguration<AggregatedDay>
{
    public void Configure(EntityTypeBuilder<AggregatedDay> entity)
    {
        entity.ToTable("aggregated_days", AnalyticsSchema.Name);
        entity.HasKey(d => d.Day);
    }
}

sealed class DirtyDayMapping : IEntityTypeConfiguration<DirtyDay>
{
    public void Configure(EntityTypeBuilder<DirtyDay> entity)
    {
        entity.ToTable("dirty_days", AnalyticsSchema.Name);
        entity.HasKey(d => d.Day);
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

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Guardrails;

static class GuardrailsSchema
{
    public const string Name = "guardrails";

    extension(PromptHubDb db)
    {
        public DbSet<Guardrail> Guardrails => db.Set<Guardrail>();
        public DbSet<FindingCount> GuardrailFindingCounts => db.Set<FindingCount>();
    }

    public static string CheckIn<T>(string column) where T : struct, Enum =>
        $"{column} IN ({string.Join(", ", Guardrail.AllWords<T>().Select(w => $"'{w}'"))})";
}

/// <summary>How many findings a guardrail has had with an action, over every instance (see <see cref="FindingCounts"/>).</summary>
public sealed class FindingCount
{
    public Guid ProjectId { get; private set; }
    public Guid GuardrailId { get; private set; }
    public string Action { get; private set; } = "";
    public long Count { get; private set; }
}

sealed class GuardrailMapping : IEntityTypeConfiguration<Guardrail>
{
    public void Configure(EntityTypeBuilder<Guardrail> entity)
    {
        entity.ToTable("guardrails", GuardrailsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_guardrails_type", GuardrailsSchema.CheckIn<GuardrailType>("type"));
            table.HasCheckConstraint("ck_guardrails_action", GuardrailsSchema.CheckIn<GuardrailAction>("action"));
        });
        entity.HasKey(g => g.Id);
        entity.Property(g => g.Name).HasMaxLength(Guardrail.MaxNameLength);
        entity.Property(g => g.Type).HasMaxLength(32).HasConversion(v => Guardrail.Word(v), w => Guardrail.Parse<GuardrailType>(w)!.Value);
        entity.Property(g => g.Action).HasMaxLength(16).HasConversion(v => Guardrail.Word(v), w => Guardrail.Parse<GuardrailAction>(w)!.Value);
        entity.Property(g => g.Config).HasColumnType("jsonb");
        entity.Property(g => g.UpdatedBy).HasMaxLength(100);
        entity.HasIndex(g => new { g.ProjectId, g.Name }).IsUnique();
        entity.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class FindingCountMapping : IEntityTypeConfiguration<FindingCount>
{
    public void Configure(EntityTypeBuilder<FindingCount> entity)
    {
        entity.ToTable("finding_counts", GuardrailsSchema.Name, table =>
        {
            table.HasCheckConstraint("ck_finding_counts_action", GuardrailsSchema.CheckIn<GuardrailAction>("action"));
        });
        entity.HasKey(c => new { c.GuardrailId, c.Action });
        entity.Property(c => c.Action).HasMaxLength(16);
        entity.HasIndex(c => c.ProjectId);
        entity.HasOne<Guardrail>().WithMany().HasForeignKey(c => c.GuardrailId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

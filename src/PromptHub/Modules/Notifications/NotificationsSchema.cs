using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Notifications;

static class NotificationsSchema
{
    public const string Name = "notifications";

    extension(PromptHubDb db)
    {
        public DbSet<OutboxMessage> Outbox => db.Set<OutboxMessage>();
    }
}

sealed class OutboxMessageMapping : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> entity)
    {
        entity.ToTable("outbox", NotificationsSchema.Name, table =>
            table.HasCheckConstraint("ck_outbox_state", EnumColumns.CheckIn<OutboxState>("state")));
        entity.HasKey(m => m.Id);
        entity.Property(m => m.EventKey).HasMaxLength(200);
        entity.HasIndex(m => m.EventKey).IsUnique();
        entity.Property(m => m.Kind).HasMaxLength(32);
        entity.Property(m => m.Webhook).HasMaxLength(64);
        entity.Property(m => m.Payload).HasColumnType("jsonb");
        entity.Property(m => m.State).AsLowerCaseText();
        entity.Property(m => m.LeasedBy).HasMaxLength(100);
        entity.Property(m => m.LastError).HasMaxLength(2000);
        entity.Property(m => m.DiscordMessageId).HasMaxLength(32);
        // The delivery job looks for due messages; the API lists a project's newest.
        entity.HasIndex(m => new { m.State, m.NextAttemptAt });
        entity.HasIndex(m => new { m.ProjectId, m.CreatedAt });
    }
}

using Microsoft.EntityFrameworkCore;
using Npgsql;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>Creates a project with its first admin key: from the API, at first start, and from the CLI.</summary>
sealed class ProjectCreation(PromptHubDb db, IEnumerable<IProjectSetup> setups, TimeProvider time)
{
    /// <returns>null when the slug is taken.</returns>
    public async Task<(Project Project, ApiKey Key, string Secret)?> CreateAsync(
        string slug, string name, string author, CancellationToken ct, string? adminSecret = null, string adminKeyName = "admin")
    {
        var now = time.GetUtcNow();
        var project = Project.Create(slug, name, now);
        var (key, secret) = ApiKey.Create(project.Id, adminKeyName, ApiKeyRole.Admin, now, adminSecret);

        // Joins the caller's transaction when there is one (bootstrap holds a lock in its own).
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        db.Projects.Add(project);
        db.ApiKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return null;
        }
        foreach (var setup in setups)
        {
            await setup.SetUpAsync(db, project.Id, author, ct);
        }
        await transaction.CommitAsync(ct);
        return (project, key, secret);
    }
}

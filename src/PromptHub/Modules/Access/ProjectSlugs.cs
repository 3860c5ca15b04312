using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

sealed class ProjectSlugs(PromptHubDb db) : IProjectSlugs
{
    public async Task<IReadOnlyDictionary<Guid, string>> SlugsAsync(IReadOnlyCollection<Guid> projectIds, CancellationToken ct) =>
        await db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Slug, ct);
}

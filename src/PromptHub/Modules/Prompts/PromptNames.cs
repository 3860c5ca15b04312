using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

sealed class PromptNames(PromptHubDb db) : IPromptNames
{
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(Guid projectId, IReadOnlyCollection<Guid> promptIds, CancellationToken ct) =>
        await db.Prompts.AsNoTracking().Where(p => p.ProjectId == projectId && promptIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
}

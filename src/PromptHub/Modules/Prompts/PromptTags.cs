using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

/// <summary>Tag replacement for other modules (<see cref="IPromptTags"/>), on the entity the caller's lock loaded.</summary>
sealed class PromptTags(PromptHubDb db, TimeProvider time) : IPromptTags
{
    public async Task ReplaceAsync(Guid projectId, Guid promptId, IReadOnlyList<string> tags, CancellationToken ct)
    {
        var prompt = await db.Prompts.SingleAsync(p => p.ProjectId == projectId && p.Id == promptId, ct);
        prompt.ReplaceTags([.. tags], time.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }
}

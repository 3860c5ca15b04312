using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// At upload: every prompt a template includes must exist, be a text prompt and have the label it
/// names, and following the includes must never lead back to the prompt being uploaded (a cycle
/// would never finish rendering). Rendering checks the same again, as labels move later.
/// </summary>
static class ReferenceCheck
{
    public static async Task VerifyAsync(PromptHubDb db, Prompt prompt, IReadOnlyList<PromptReference> references, CancellationToken ct)
    {
        foreach (var reference in references)
        {
            await VisitAsync(db, prompt, reference, [prompt.Name], ct);
        }
    }

    static async Task VisitAsync(PromptHubDb db, Prompt origin, PromptReference reference, List<string> trail, CancellationToken ct)
    {
        if (trail.Contains(reference.Name))
        {
            throw Unusable($"The includes form a cycle: {string.Join(" → ", trail.Append(reference.Name))}.");
        }
        if (trail.Count > PromptReference.MaxDepth)
        {
            throw Unusable($"Includes are nested more than {PromptReference.MaxDepth} deep: {string.Join(" → ", trail)}.");
        }

        var target = await db.Prompts.AsNoTracking()
            .Where(p => p.ProjectId == origin.ProjectId && p.Name == reference.Name && p.ArchivedAt == null)
            .Select(p => new { p.Id, p.Type, p.LatestVersion })
            .SingleOrDefaultAsync(ct)
            ?? throw Unusable($"'{{{{> {reference}}}}}' includes prompt '{reference.Name}', which does not exist.");
        if (target.Type != PromptType.Text)
        {
            throw Unusable($"'{{{{> {reference}}}}}' includes a chat prompt; only text prompts can be included.");
        }
        int? version = reference.Label == Label.Latest
            ? (target.LatestVersion == 0 ? null : target.LatestVersion)
            : await db.Labels.Where(l => l.PromptId == target.Id && l.Name == reference.Label).Select(l => (int?)l.Version).SingleOrDefaultAsync(ct);
        if (version is null)
        {
            throw Unusable($"'{{{{> {reference}}}}}' includes prompt '{reference.Name}', which has no '{reference.Label}' version.");
        }

        var next = await db.PromptVersions.Where(v => v.PromptId == target.Id && v.Version == version).Select(v => v.Includes).SingleAsync(ct);
        foreach (var inner in next)
        {
            await VisitAsync(db, origin, PromptReference.Parse(inner)!, [.. trail, reference.Name], ct);
        }
    }

    static ProblemException Unusable(string detail) => ProblemException.Unprocessable(detail);
}

using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// At upload: the includes of the new content are walked (<see cref="IncludeWalker"/>) over the database,
/// in the upload's transaction, so that the prompt being uploaded is checked with its new text.
/// </summary>
sealed class IncludeCheck(PromptHubDb db, Prompt prompt, CancellationToken ct) : IIncludeSource
{
    /// <summary>Each field's includes on their own, so that a 422 names the field the include is written in.</summary>
    public static async Task VerifyAsync(PromptHubDb db, Prompt prompt, VersionContent content, CancellationToken ct)
    {
        if (content.IncludedPrompts.Count == 0) return;
        var source = new IncludeCheck(db, prompt, ct);
        var fields = content.Template is not null
            ? [("template", content.Template)]
            : content.Messages!.Select((m, i) => ($"messages[{i}].content", m.Content)).Where(f => f.Content is not null).Select(f => (f.Item1, f.Content!)).ToList();
        foreach (var (field, text) in fields)
        {
            var includes = TemplateAnalyzer.Analyze(text, content.Format).IncludedPrompts;
            await IncludeWalker.WalkAsync(prompt.Name, content.Format, includes, source, field);
        }
    }

    public async ValueTask<IncludeLookup> FindAsync(PromptInclude include, string includer)
    {
        var target = await db.Prompts.AsNoTracking()
            .Where(p => p.ProjectId == prompt.ProjectId && p.Name == include.Name && p.ArchivedAt == null)
            .Select(p => new { p.Id, p.Type, p.LatestVersion })
            .SingleOrDefaultAsync(ct);
        if (target is null) return new IncludeLookup(null, null);
        int? number = include.Label == PromptRules.Latest
            ? (target.LatestVersion == 0 ? null : target.LatestVersion)
            : await db.Labels.Where(l => l.PromptId == target.Id && l.Name == include.Label).Select(l => (int?)l.Version).SingleOrDefaultAsync(ct);
        if (number is null || target.Type != PromptType.Text) return new IncludeLookup(target.Type, null);

        var version = await db.PromptVersions.AsNoTracking().SingleAsync(v => v.PromptId == target.Id && v.Version == number, ct);
        return new IncludeLookup(target.Type, new IncludedVersion(prompt.ProjectId, include.Name, version.Version, version.TemplateFormat,
            version.Template!, version.Variables, [.. version.Includes.Select(i => PromptInclude.Parse(i)!)]));
    }
}

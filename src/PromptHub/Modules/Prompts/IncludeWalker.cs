using Microsoft.AspNetCore.Http;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// The one walk over includes, for upload checks and for rendering: every prompt an include names must
/// exist, be a text prompt written in the same format and have the label it names, and following the
/// includes must never lead back to a prompt on the way (a cycle would never finish rendering).
/// Each failure is a 422 that names the chain, with `errors` under <c>field</c> (where the include is written, at
/// upload), as a template that does not compile has. Rendering walks again, as labels move after an upload.
/// </summary>
static class IncludeWalker
{
    public const string DefaultField = "includes";

    public static async ValueTask<IncludeChain> WalkAsync(string origin, TemplateFormat format, IReadOnlyList<PromptInclude> includes, IIncludeSource source,
        string field = DefaultField)
    {
        if (includes.Count == 0) return IncludeChain.Empty;
        var chain = new IncludeChain();
        try
        {
            foreach (var include in includes) await VisitAsync(include, [origin], format, source, chain);
        }
        catch (ProblemException e) when (e.Status == StatusCodes.Status422UnprocessableEntity && e.Errors is null)
        {
            throw ProblemException.Unprocessable(e.Message, new Dictionary<string, string[]> { [field] = [e.Message] });
        }
        return chain;
    }

    static async ValueTask VisitAsync(PromptInclude include, List<string> trail, TemplateFormat format, IIncludeSource source, IncludeChain chain)
    {
        var path = string.Join(" → ", trail.Append(include.Name));
        if (trail.Contains(include.Name)) throw ProblemException.Unprocessable($"The includes form a cycle: {path}.");
        if (trail.Count > PromptInclude.MaxDepth)
        {
            throw ProblemException.Unprocessable($"Includes are nested more than {PromptInclude.MaxDepth} deep: {path}.");
        }

        var includer = trail[^1];
        var found = await source.FindAsync(include, includer);
        if (found.Type is null) throw ProblemException.Unprocessable($"'{includer}' includes prompt '{include.Name}', which does not exist ({path}).");
        if (found.Type != PromptType.Text)
        {
            throw ProblemException.Unprocessable($"'{includer}' includes chat prompt '{include.Name}'; only text prompts can be included ({path}).");
        }
        var version = found.Version
            ?? throw ProblemException.Unprocessable($"'{includer}' includes prompt '{include.Name}', which has no '{include.Label}' version ({path}).");
        if (version.Format != format)
        {
            throw ProblemException.Unprocessable(
                $"'{includer}' is written in {TemplateLanguage.Name(format)} and includes '{include}', written in {TemplateLanguage.Name(version.Format)}; " +
                $"an include must be in the same format ({path}).");
        }

        chain.Versions[include.ToString()] = version;
        chain.Variables.UnionWith(version.Variables);
        foreach (var inner in version.Includes) await VisitAsync(inner, [.. trail, include.Name], format, source, chain);
    }
}

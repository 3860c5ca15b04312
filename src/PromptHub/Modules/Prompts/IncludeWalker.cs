using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>A text prompt's version reached through an include.</summary>
public sealed record IncludedVersion(Guid ProjectId, string Name, int Version, TemplateFormat Format, string Template,
    IReadOnlyList<string> Variables, IReadOnlyList<PromptReference> Includes);

/// <summary>What an include names: no prompt (<see cref="Type"/> null), a prompt of that type, and its version for the label (if it has one).</summary>
public readonly record struct IncludeLookup(PromptType? Type, IncludedVersion? Version);

/// <summary>Where includes are looked up: the database at upload, the serving cache at render.</summary>
public interface IIncludeSource
{
    /// <param name="includer">The prompt whose template holds the include.</param>
    ValueTask<IncludeLookup> FindAsync(PromptReference reference, string includer);
}

/// <summary>Every version a template reaches through includes, by reference (`name@label`), and the variables of them all.</summary>
public sealed class IncludeChain
{
    public static readonly IncludeChain Empty = new();

    public Dictionary<string, IncludedVersion> Versions { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Variables { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The one walk over includes, for upload checks and for rendering: every prompt an include names must
/// exist, be a text prompt written in the same format and have the label it names, and following the
/// includes must never lead back to a prompt on the way (a cycle would never finish rendering).
/// Each failure is a 422 that names the chain. Rendering walks again, as labels move after an upload.
/// </summary>
public static class IncludeWalker
{
    public static async ValueTask<IncludeChain> WalkAsync(string origin, TemplateFormat format, IReadOnlyList<PromptReference> references, IIncludeSource source)
    {
        if (references.Count == 0) return IncludeChain.Empty;
        var chain = new IncludeChain();
        foreach (var reference in references) await VisitAsync(reference, [origin], format, source, chain);
        return chain;
    }

    static async ValueTask VisitAsync(PromptReference reference, List<string> trail, TemplateFormat format, IIncludeSource source, IncludeChain chain)
    {
        var path = string.Join(" → ", trail.Append(reference.Name));
        if (trail.Contains(reference.Name)) throw ProblemException.Unprocessable($"The includes form a cycle: {path}.");
        if (trail.Count > PromptReference.MaxDepth)
        {
            throw ProblemException.Unprocessable($"Includes are nested more than {PromptReference.MaxDepth} deep: {path}.");
        }

        var includer = trail[^1];
        var found = await source.FindAsync(reference, includer);
        if (found.Type is null) throw ProblemException.Unprocessable($"'{includer}' includes prompt '{reference.Name}', which does not exist ({path}).");
        if (found.Type != PromptType.Text)
        {
            throw ProblemException.Unprocessable($"'{includer}' includes chat prompt '{reference.Name}'; only text prompts can be included ({path}).");
        }
        var version = found.Version
            ?? throw ProblemException.Unprocessable($"'{includer}' includes prompt '{reference.Name}', which has no '{reference.Label}' version ({path}).");
        if (version.Format != format)
        {
            throw ProblemException.Unprocessable(
                $"'{includer}' is written in {TemplateLanguage.Name(format)} and includes '{reference}', written in {TemplateLanguage.Name(version.Format)}; " +
                $"an include must be in the same format ({path}).");
        }

        chain.Versions[reference.ToString()] = version;
        chain.Variables.UnionWith(version.Variables);
        foreach (var inner in version.Includes) await VisitAsync(inner, [.. trail, reference.Name], format, source, chain);
    }
}

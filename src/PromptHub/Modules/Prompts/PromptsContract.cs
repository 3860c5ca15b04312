using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Scriban;
using Scriban.Runtime;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

// What other modules may use of the Prompts module: this file, nothing else. The module owns prompts,
// versions, labels and the template language; the others see prompts through these records and rules.

public enum PromptType
{
    Text,
    Chat,
}

/// <summary>How a version differs from the one before it.</summary>
public enum ChangeType
{
    Initial,
    Prompt,
    Config,
    Both,
    /// <summary>Identical to the version before: no version is created.</summary>
    None,
}

/// <summary>Why a label moved (or, for rollout steps, why a share of traffic changed).</summary>
public enum LabelAction
{
    Activate,
    Rollback,
    /// <summary>An experiment's stop moved the label to its winning variant.</summary>
    Promote,
    /// <summary>A rollout gives a share of subjects to a candidate; the label stays.</summary>
    Rollout,
    /// <summary>A rollout ended by moving the label to its candidate.</summary>
    Complete,
    /// <summary>A rollout ended without moving the label.</summary>
    Abort,
}

/// <summary>How a version's templates are written: Scriban (the default), or Liquid for teams coming from Jinja2 or Liquid.</summary>
public enum TemplateFormat
{
    Scriban,
    Liquid,
}

/// <summary>The rules for prompt names, labels and versions, and their route values (400 when wrong): one definition each.</summary>
public static partial class PromptRules
{
    public const int MaxNameLength = 128;
    /// <summary>The label of the active version.</summary>
    public const string Production = "production";
    /// <summary>Implicit: always the highest version. It cannot be moved.</summary>
    public const string Latest = "latest";

    /// <summary>
    /// 1–128 characters of A-Z a-z 0-9 . _ - /, where slashes make folders: no leading, trailing or
    /// double slash, and no `.` or `..` folder. Null when the name is valid.
    /// </summary>
    public static string? NameError(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "is required";
        if (name.Length > MaxNameLength) return $"must be at most {MaxNameLength} characters";
        if (!NamePattern().IsMatch(name)) return "may contain only A-Z, a-z, 0-9, '.', '_', '-' and '/' (folders), with no leading, trailing or double '/'";
        if (name.Split('/').Any(segment => segment is "." or "..")) return "must not contain '.' or '..' folders";
        return null;
    }

    /// <summary>1–36 characters of a-z 0-9 . _ -; <paramref name="forMove"/> also refuses `latest`. Null when valid.</summary>
    public static string? LabelError(string? name, bool forMove)
    {
        if (string.IsNullOrEmpty(name)) return "is required";
        if (!LabelPattern().IsMatch(name)) return "must be 1–36 characters of a-z, 0-9, '.', '_' and '-'";
        if (forMove && name == Latest) return "cannot be moved: it is implicit, always the highest version"; // callers name the label first
        return null;
    }

    /// <summary>A tag: 1–64 characters of A-Z a-z 0-9 . _ - : /. Null when valid.</summary>
    public static string? TagError(string? tag) =>
        tag is { Length: > 0 and <= 64 } && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/')
            ? null
            : "must be 1–64 characters of A-Z, a-z, 0-9, '.', '_', '-', ':' and '/'";

    /// <summary>The prompt name of a `{name}` route value: decoded once, then validated (400 when invalid).</summary>
    public static string NameFromRoute(string raw)
    {
        string name;
        try
        {
            name = Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException)
        {
            throw ProblemException.Invalid("name", "is not a valid URL-encoded prompt name");
        }
        var error = NameError(name);
        if (error is not null) throw ProblemException.Invalid("name", error);
        return name;
    }

    /// <summary>A version as a route or query value: a positive whole number, or `latest` (null).</summary>
    public static int? VersionFromRoute(string raw, string field = "version")
    {
        if (raw == Latest) return null;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw ProblemException.Invalid(field, "must be a positive whole number or 'latest'");
        }
        return version;
    }

    public static string LabelFromRoute(string label, bool forMove)
    {
        var error = LabelError(label, forMove);
        if (error is not null) throw ProblemException.Invalid("label", error);
        return label;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9._-]{1,36}$")]
    private static partial Regex LabelPattern();
}

/// <summary>A route that carries a prompt name (see <see cref="PromptRoutes"/>).</summary>
public sealed record PromptRoute(string Pattern, bool IsNameRoute);

/// <summary>
/// Prompt names hold slashes, and routes take them encoded (`support%2Ftriage`) or plain (`support/triage`).
/// Each module names its own routes that carry a prompt name, so that the rewrite before routing knows where
/// a plain name ends.
/// </summary>
public static class PromptRoutes
{
    /// <summary>What follows `/api/v1/prompts/{name}/`, as segments with `*` for one route value (`labels/*/rollback`).</summary>
    public static IServiceCollection AddPromptActions(this IServiceCollection services, params string[] actions)
    {
        foreach (var action in actions) services.AddSingleton(new PromptRoute(action, IsNameRoute: false));
        return services;
    }

    /// <summary>A route whose rest is a prompt name and nothing after it (`/api/v1/analytics/prompts/`).</summary>
    public static IServiceCollection AddPromptNameRoute(this IServiceCollection services, string prefix) =>
        services.AddSingleton(new PromptRoute(prefix, IsNameRoute: true));
}

/// <summary>What the Prompts module announces on the change feed when what resolve answers for a prompt may have changed.</summary>
public static class PromptChanges
{
    public const string Topic = "prompt";

    public static string Key(Guid projectId, string name) => $"{projectId:N}/{name}";
}

/// <summary>
/// How the `prompts.prompt_versions` columns are decoded, for the one module that reads them directly (serving's
/// hot-path load; see ModuleBoundaryTests' exceptions): messages as `[{role, content}]` JSON, config as canonical JSON.
/// </summary>
public static class VersionColumns
{
    public static IReadOnlyList<ChatMessage> Messages(string json) => VersionContent.ParseMessages(json);

    /// <summary>PostgreSQL's jsonb reorders keys and spacing: this gives back the compact, key-sorted text the content hash uses.</summary>
    public static string Config(string json) => VersionContent.CanonicalJson(JsonNode.Parse(json));
}

/// <summary>A prompt as other modules see it (never the entity): its id, name, type, tags and highest version.</summary>
public sealed record PromptInfo(Guid Id, Guid ProjectId, string Name, PromptType Type, IReadOnlyList<string> Tags, int LatestVersion);

/// <summary>The names of prompts by id, archived ones included (analytics names what it counted).</summary>
public interface IPromptNames
{
    Task<IReadOnlyDictionary<Guid, string>> NamesAsync(Guid projectId, IReadOnlyCollection<Guid> promptIds, CancellationToken ct);
}

/// <summary>
/// A chat message `{role, content}`, or a placeholder `{type: "placeholder", name}` that render replaces with
/// the messages passed under that name (a conversation so far, examples), as Langfuse's chat prompts have them.
/// </summary>
public sealed record ChatMessage(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content)
{
    public const string PlaceholderType = "placeholder";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore]
    public bool IsPlaceholder => Type == PlaceholderType;

    public static ChatMessage Placeholder(string name) => new(null, null) { Type = PlaceholderType, Name = name };
}

/// <summary>`{role, content}`, or `{type: "placeholder", name}` for messages given at render.</summary>
public sealed record ChatMessageRequest(string? Role, string? Content, string? Type = null, string? Name = null);

/// <summary>The body of an upload: `template` for a text prompt or `messages` for a chat prompt (checked in VersionRequest.cs).</summary>
public sealed partial record VersionRequest(string? Template, ChatMessageRequest[]? Messages, JsonNode? Config, string? CommitMessage, string[]? Labels,
    string? TemplateFormat = null);

/// <summary>
/// `{{ include 'other/prompt' }}` or `{{ include 'other/prompt@staging' }}` in a template: the text of another
/// (text) prompt, by label (`production` unless named; `latest` is the highest version), rendered where it stands.
/// </summary>
public sealed record PromptInclude(string Name, string Label)
{
    public const int MaxDepth = 8;

    public override string ToString() => $"{Name}@{Label}";

    public static PromptInclude? Parse(string text)
    {
        var at = text.LastIndexOf('@');
        var name = at < 0 ? text : text[..at];
        var label = at < 0 ? PromptRules.Production : text[(at + 1)..];
        return PromptRules.NameError(name) is null && PromptRules.LabelError(label, forMove: false) is null
            ? new PromptInclude(name, label)
            : null;
    }
}

/// <summary>
/// The template language as PromptHub offers it, in one place for upload checks and rendering: the
/// parser of each format, and a strict context whose builtins can read only what a static walk of
/// the template sees (no `object.eval`, no `include_join`).
/// </summary>
public static class TemplateLanguage
{
    public static readonly string[] FormatNames = ["scriban", "liquid"];

    static readonly Dictionary<TemplateFormat, HashSet<string>> BuiltinNames = new()
    {
        [TemplateFormat.Scriban] = [.. NewContext(TemplateFormat.Scriban).BuiltinObject.Keys],
        [TemplateFormat.Liquid] = [.. NewContext(TemplateFormat.Liquid).BuiltinObject.Keys],
    };

    public static string Name(TemplateFormat format) => format == TemplateFormat.Liquid ? "liquid" : "scriban";

    public static TemplateFormat? ParseName(string? name) => name switch
    {
        null or "scriban" => TemplateFormat.Scriban,
        "liquid" => TemplateFormat.Liquid,
        _ => null,
    };

    public static Template Parse(string text, TemplateFormat format, string? path = null) =>
        format == TemplateFormat.Liquid ? Template.ParseLiquid(text, path) : Template.Parse(text, path);

    /// <summary>Names a template reads from the builtins (`string`, `array`, `upcase`…), never from the caller's data.</summary>
    public static bool IsBuiltin(TemplateFormat format, string name) => BuiltinNames[format].Contains(name);

    /// <summary>
    /// A context that fails on any name the data lacks (top level or member) and offers no builtin that
    /// evaluates text as a template (which could read names no static walk can see).
    /// </summary>
    public static TemplateContext NewContext(TemplateFormat format)
    {
        var context = format == TemplateFormat.Liquid ? new LiquidTemplateContext() : new TemplateContext();
        context.StrictVariables = true;
        context.EnableRelaxedMemberAccess = false;
        if (context.BuiltinObject.TryGetValue("object", out var objects) && objects is ScriptObject functions)
        {
            functions.Remove("eval");
            functions.Remove("eval_template");
        }
        context.BuiltinObject.Remove("include_join");
        return context;
    }

    /// <summary>What a template needs (its variables and includes), or where it does not compile.</summary>
    public static TemplateAnalysis Analyze(string text, TemplateFormat format) => TemplateAnalyzer.Analyze(text, format);

    /// <summary>
    /// Every version <paramref name="origin"/>'s includes reach, for upload checks and rendering alike:
    /// each must exist, be a text prompt in the same format with the label named, and lead to no cycle
    /// (else a 422 naming the chain).
    /// </summary>
    public static ValueTask<IncludeChain> WalkIncludesAsync(string origin, TemplateFormat format, IReadOnlyList<PromptInclude> includes, IIncludeSource source) =>
        IncludeWalker.WalkAsync(origin, format, includes, source);
}

/// <summary>Where and why a template does not compile. Line and column count from 1.</summary>
public sealed record TemplateError(string Message, int Line, int Column);

/// <summary>`{{ include 'name@label' }}` at <see cref="Start"/> (the tag, <see cref="Length"/> characters long, braces included).</summary>
public sealed record IncludeTag(PromptInclude Include, int Start, int Length);

/// <summary>What a template needs: the top-level variables a caller passes, and the prompts it includes.</summary>
public sealed record TemplateAnalysis(IReadOnlyList<string> Variables, IReadOnlyList<IncludeTag> Includes, TemplateError? Error)
{
    public IReadOnlyList<PromptInclude> IncludedPrompts =>
        [.. Includes.Select(i => i.Include).DistinctBy(r => r.ToString()).OrderBy(r => r.ToString(), StringComparer.Ordinal)];
}

/// <summary>A text prompt's version reached through an include.</summary>
public sealed record IncludedVersion(Guid ProjectId, string Name, int Version, TemplateFormat Format, string Template,
    IReadOnlyList<string> Variables, IReadOnlyList<PromptInclude> Includes);

/// <summary>What an include names: no prompt (<see cref="Type"/> null), a prompt of that type, and its version for the label (if it has one).</summary>
public readonly record struct IncludeLookup(PromptType? Type, IncludedVersion? Version);

/// <summary>Where includes are looked up: the database at upload, the serving cache at render.</summary>
public interface IIncludeSource
{
    /// <param name="includer">The prompt whose template holds the include.</param>
    ValueTask<IncludeLookup> FindAsync(PromptInclude include, string includer);
}

/// <summary>Every version a template reaches through includes, by include (`name@label`), and the variables of them all.</summary>
public sealed class IncludeChain
{
    public static readonly IncludeChain Empty = new();

    public Dictionary<string, IncludedVersion> Versions { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Variables { get; } = new(StringComparer.Ordinal);
}

/// <summary>A version as it was created, for <see cref="IPromptEvents"/>; <see cref="Example"/>: one of the examples a new project starts with.</summary>
public sealed record VersionCreated(PromptInfo Prompt, int Version, PromptType Type, string? Template, IReadOnlyList<ChatMessage>? Messages,
    ChangeType ChangeType, string? CommitMessage, string Author, DateTimeOffset CreatedAt, bool Example = false);

/// <summary>A move of a label (its history row <see cref="Id"/>), for <see cref="IPromptEvents"/>; <see cref="Example"/> as above.</summary>
public sealed record LabelMoved(PromptInfo Prompt, long Id, string Label, int? FromVersion, int ToVersion, LabelAction Action,
    string? Reason, string Actor, DateTimeOffset CreatedAt, bool Example = false);

/// <summary>
/// What other modules may do when the registry changes, inside the same transaction (so that what they
/// write — an outbox message, say — exists exactly when the change does). The Notifications module implements it.
/// </summary>
public interface IPromptEvents
{
    Task VersionCreatedAsync(PromptHubDb db, VersionCreated created, CancellationToken ct);

    Task LabelMovedAsync(PromptHubDb db, LabelMoved moved, CancellationToken ct);
}

/// <summary>An upload's outcome: the version (new, or the identical latest one when nothing changed).</summary>
public sealed record UploadedVersion(PromptInfo Prompt, int Version, bool Created);

/// <summary>A label after an activation: where it pointed before, and whether it moved.</summary>
public sealed record LabelActivated(PromptInfo Prompt, string Label, int Version, int? PreviousVersion, bool Moved);

/// <summary>
/// The registry's writes as other modules call them (experiments, git sync, the Langfuse API). Each runs in
/// one transaction (joining the caller's) that first locks the prompt's row.
/// </summary>
public interface IPromptRegistry
{
    /// <summary>A new prompt; 409 when the name is taken.</summary>
    Task<PromptInfo> CreateAsync(Guid projectId, string name, PromptType type, string? description, string[] tags, CancellationToken ct);

    /// <summary>A new version (400/422 on bad content, 404 with no such prompt); an identical upload creates none.</summary>
    Task<UploadedVersion> UploadAsync(Guid projectId, string name, VersionRequest request, string author, CancellationToken ct);

    Task<LabelActivated> ActivateAsync(Guid projectId, string name, string label, int version, string? reason, string actor, CancellationToken ct);

    Task ArchiveAsync(Guid projectId, string name, CancellationToken ct);

    /// <summary>
    /// The live prompt by id, locked until the caller's transaction ends, or null when it is archived: for
    /// writes of other modules that must hold the prompt first (always before their own rows, so that
    /// concurrent writes queue rather than deadlock).
    /// </summary>
    Task<PromptInfo?> LockAsync(Guid projectId, Guid promptId, CancellationToken ct);

    /// <summary>The version a label points at now, or null when the prompt has no such label.</summary>
    Task<int?> TargetAsync(Guid promptId, string label, CancellationToken ct);

    /// <summary>
    /// A label step taken by an experiment or rollout, in its transaction: <see cref="LabelAction.Promote"/> and
    /// <see cref="LabelAction.Complete"/> move the label like an activation (history, events, change feed);
    /// <see cref="LabelAction.Rollout"/> and <see cref="LabelAction.Abort"/> only record the share of subjects
    /// (<paramref name="percent"/>) that <paramref name="version"/> gets, as the label stays where it is.
    /// </summary>
    Task ExperimentStepAsync(Guid projectId, Guid promptId, string label, LabelAction action, int version, int? percent,
        string experiment, string? reason, string actor, CancellationToken ct);
}

/// <summary>A live prompt as stored, with the versions its labels point at (`latest` is implicit: <see cref="LatestVersion"/>).</summary>
public sealed record StoredPrompt(Guid Id, string Name, PromptType Type, string? Description, IReadOnlyList<string> Tags, int LatestVersion,
    IReadOnlyDictionary<string, int> Labels);

/// <summary>A version as stored: includes not inlined; <see cref="Config"/> is the config object as JSON text, keys sorted.</summary>
public sealed record StoredVersion(int Version, PromptType Type, TemplateFormat Format, string? Template, IReadOnlyList<ChatMessage>? Messages,
    string Config, string? CommitMessage, DateTimeOffset CreatedAt);

/// <summary>A prompt and one of its versions (null when it has no such version).</summary>
public sealed record StoredPromptVersion(StoredPrompt Prompt, StoredVersion? Version);

/// <summary>
/// Which versions a listing keeps, each filter when given: of the prompt so named, of prompts with the tag, pointed
/// at by the label (`latest`: the highest version), created from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive).
/// </summary>
public sealed record VersionFilter(string? Name, string? Tag, string? Label, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// A prompt with the versions a <see cref="VersionFilter"/> kept: the labels pointing at them (`latest` too when
/// the highest is one), the newest one's creation time and its config as JSON text.
/// </summary>
public sealed record MatchedPrompt(string Name, PromptType Type, IReadOnlyList<int> Versions, IReadOnlyList<string> Labels,
    IReadOnlyList<string> Tags, DateTimeOffset LastCreatedAt, string LastConfig);

/// <summary>A page of <see cref="MatchedPrompt"/>s by name, and how many prompts matched in all.</summary>
public sealed record MatchedPage(IReadOnlyList<MatchedPrompt> Items, int Total);

/// <summary>
/// The registry's reads as other modules call them (the Langfuse API, git export): records, never entities,
/// archived prompts left out. The hot path reads through the Serving module instead.
/// </summary>
public interface IPromptReader
{
    /// <summary>The live prompt so named with its labels, and its version <paramref name="version"/> when one is asked for; null when there is no such prompt.</summary>
    Task<StoredPromptVersion?> FindAsync(Guid projectId, string name, int? version, CancellationToken ct);

    /// <summary>Every live prompt's version that <paramref name="label"/> points at (the highest when null), by name; prompts without that label are left out.</summary>
    Task<IReadOnlyList<StoredPromptVersion>> AtLabelAsync(Guid projectId, string? label, CancellationToken ct);

    /// <summary>The prompts with versions that match every filter given, by name (ordinal), a page of them (from 1) in one query.</summary>
    Task<MatchedPage> MatchAsync(Guid projectId, VersionFilter filter, int page, int pageSize, CancellationToken ct);
}

/// <summary>
/// Tags belong to the prompt, not a version: a replacement (Langfuse's create, when given tags) by a caller that
/// holds the prompt's lock (<see cref="IPromptRegistry.LockAsync"/>), in its transaction.
/// </summary>
public interface IPromptTags
{
    Task ReplaceAsync(Guid projectId, Guid promptId, IReadOnlyList<string> tags, CancellationToken ct);
}

/// <summary>The checks of a new prompt's fields (400 naming every bad one), for prompts created elsewhere than `POST /api/v1/prompts` (git sync).</summary>
public static class NewPrompt
{
    /// <returns>The name, the type, the description and the tags (without duplicates), ready for <see cref="IPromptRegistry.CreateAsync"/>.</returns>
    public static (string Name, PromptType Type, string? Description, string[] Tags) Validate(string? name, string? type, string? description, string[]? tags) =>
        new CreatePromptRequest(name, type, description, tags).Validate();
}

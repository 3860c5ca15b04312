using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Prompts;

public sealed record CreatePromptRequest(string? Name, string? Type, string? Description, string[]? Tags)
{
    public const int MaxTags = 20;

    /// <summary>400 naming every bad field (also for prompts created by a git sync).</summary>
    public (string Name, PromptType Type, string? Description, string[] Tags) Validate()
    {
        var validation = new Validation();
        var nameError = PromptRules.NameError(Name);
        if (nameError is not null) validation.Add("name", nameError);
        validation.Check(Type is "text" or "chat", "type", "must be 'text' or 'chat'")
            .Check(Description is null || Description.Length <= 2000, "description", "must be at most 2000 characters")
            .Check(Tags is null || Tags.Length <= MaxTags, "tags", $"must have at most {MaxTags} tags");
        foreach (var tag in Tags ?? [])
        {
            if (PromptRules.TagError(tag) is { } tagError) validation.Add("tags", $"'{tag}' {tagError}");
        }
        validation.ThrowIfInvalid();
        return (Name!, Type == "chat" ? PromptType.Chat : PromptType.Text, Description, (Tags ?? []).Distinct(StringComparer.Ordinal).ToArray());
    }
}
public sealed record ActivateRequest(int? Version, string? Reason);
public sealed record RollbackRequest(string? Reason);

/// <summary>The registry over HTTP: prompts, versions, diffs, labels and their history.</summary>
static class PromptEndpoints
{
    const int MaxReasonLength = 2000;

    public static void MapPromptsEndpoints(this IEndpointRouteBuilder api)
    {
        var prompts = api.MapGroup("/prompts").WithTags("Prompts").RequireAuthorization(AccessPolicies.Reader)
            .ProducesProblem(StatusCodes.Status404NotFound);

        prompts.MapPost("/", Create).WithName("CreatePrompt").WithSummary("Create a prompt").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("A prompt holds versions of one type, `text` (a template) or `chat` (messages). The name is 1–128 of A-Z, a-z, 0-9, '.', '_', '-' and '/' (folders). 409: a prompt of that name exists in this project.");
        prompts.MapGet("/", List).WithName("ListPrompts").WithSummary("List prompts with their labels and latest version");
        prompts.MapGet("/{name}", Get).WithName("GetPrompt").WithSummary("Read a prompt: its labels, the versions they point at, the latest version");
        prompts.MapDelete("/{name}", Archive).WithName("ArchivePrompt").WithSummary("Archive a prompt").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Soft delete: the prompt leaves every read and its name is free again; its rows are kept. 409 while an experiment or rollout runs on it.");

        prompts.MapPost("/{name}/versions", Upload).WithName("UploadVersion").WithSummary("Upload a version").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("The next version number (1, 2, 3…; never a gap, also under concurrent uploads), immutable. `template` for a text prompt, `messages` for a chat prompt; `labels` are moved to it in the same transaction. An upload identical to the latest version creates nothing: 200 with that version (201 otherwise). 422: a template does not compile (`errors` names the field, with line and column), or an include names a prompt that does not exist, has no such label, or forms a cycle.");
        prompts.MapGet("/{name}/versions", ListVersions).WithName("ListVersions").WithSummary("List a prompt's versions, newest first");
        prompts.MapGet("/{name}/versions/{version}", GetVersion).WithName("GetVersion").WithSummary("Read one version");
        prompts.MapGet("/{name}/versions/{version}/diff", Diff).WithName("DiffVersions").WithSummary("Diff two versions")
            .WithDescription("A unified diff of the template (or messages) and of the config, against `against` or the version's parent.");

        prompts.MapPut("/{name}/labels/{label}", Activate).WithName("ActivateLabel").WithSummary("Move a label to a version (activate)").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("Moving `production` activates that version: resolve serves it on every instance within a second. Every move is recorded in the label's history. `latest` cannot be moved (it is always the highest version).");
        prompts.MapPost("/{name}/labels/{label}/rollback", Rollback).WithName("RollbackLabel").WithSummary("Roll a label back to its previous target").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Undoes the label's newest move that is not yet undone: one rollback returns to the version before the last activation, another goes one further back. 409: the label has no earlier target (it was only ever activated once).");
        prompts.MapGet("/{name}/labels/{label}/history", History).WithName("LabelHistory").WithSummary("Every move of a label, newest first");
    }

    static async Task<Created<PromptView>> Create(CreatePromptRequest request, HttpContext http, PromptRegistry registry, CancellationToken ct)
    {
        var (name, type, description, tags) = request.Validate();
        var prompt = await registry.CreateAsync(http.Caller().ProjectId, name, type, description, tags, ct);
        return TypedResults.Created(Location(prompt.Name), PromptViews.ToView(prompt, new Dictionary<string, int>()));
    }

    static async Task<Ok<Paged<PromptView>>> List(string? tag, string? search, PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var query = db.Prompts.Where(p => p.ProjectId == http.Caller().ProjectId && p.ArchivedAt == null);
        if (!string.IsNullOrEmpty(tag)) query = query.Where(p => p.Tags.Contains(tag));
        if (!string.IsNullOrEmpty(search))
        {
            if (search.Length > 200) throw ProblemException.Invalid("search", "must be at most 200 characters");
            var pattern = "%" + search.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(p => EF.Functions.ILike(p.Name, pattern, "\\") || EF.Functions.ILike(p.Description ?? "", pattern, "\\"));
        }
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(p => p.Name).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        var labels = await LabelsOf(db, page.Select(p => p.Id).ToList(), ct);
        var items = page.Select(p => PromptViews.ToView(p, labels.GetValueOrDefault(p.Id, Empty))).ToList();
        return TypedResults.Ok(new Paged<PromptView>(items, paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<PromptDetailView>> Get(string name, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var prompt = await Find(db, http, name, ct);
        var labels = await LabelsOf(db, prompt, ct);
        var latest = prompt.LatestVersion == 0
            ? null
            : await db.PromptVersions.SingleAsync(v => v.PromptId == prompt.Id && v.Version == prompt.LatestVersion, ct);
        return TypedResults.Ok(PromptViews.ToDetail(prompt, labels, latest));
    }

    static async Task<NoContent> Archive(string name, HttpContext http, PromptRegistry registry, CancellationToken ct)
    {
        await registry.ArchiveAsync(http.Caller().ProjectId, PromptRules.NameFromRoute(name), ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Created<VersionView>, Ok<VersionView>>> Upload(
        string name, VersionRequest request, HttpContext http, PromptRegistry registry, PromptHubDb db, CancellationToken ct)
    {
        var caller = http.Caller();
        var result = await registry.UploadAsync(caller.ProjectId, PromptRules.NameFromRoute(name), request, caller.KeyName, ct, omittedConfigKeepsPrevious: true);
        var view = PromptViews.ToView(result.Prompt, result.Version, await LabelsOf(db, result.Prompt, ct));
        return result.Created
            ? TypedResults.Created($"{Location(result.Prompt.Name)}/versions/{result.Version.Version}", view)
            : TypedResults.Ok(view);
    }

    static async Task<Ok<Paged<VersionView>>> ListVersions(string name, PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var prompt = await Find(db, http, name, ct);
        var labels = await LabelsOf(db, prompt, ct);
        var versions = await db.PromptVersions.Where(v => v.PromptId == prompt.Id)
            .OrderByDescending(v => v.Version).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        var items = versions.Select(v => PromptViews.ToView(prompt, v, labels)).ToList();
        return TypedResults.Ok(new Paged<VersionView>(items, paging.Page, paging.PageSize, prompt.LatestVersion));
    }

    static async Task<Ok<VersionView>> GetVersion(string name, string version, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var number = PromptRules.VersionFromRoute(version);
        var prompt = await Find(db, http, name, ct);
        var found = await FindVersion(db, prompt, number ?? prompt.LatestVersion, ct);
        return TypedResults.Ok(PromptViews.ToView(prompt, found, await LabelsOf(db, prompt, ct)));
    }

    static async Task<Ok<VersionDiffView>> Diff(string name, string version, int? against, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var number = PromptRules.VersionFromRoute(version);
        if (against is < 1) throw ProblemException.Invalid("against", "must be a positive whole number");
        var prompt = await Find(db, http, name, ct);
        var target = await FindVersion(db, prompt, number ?? prompt.LatestVersion, ct);
        var baseVersion = against ?? target.ParentVersion;
        var source = baseVersion is null ? null : await FindVersion(db, prompt, baseVersion.Value, ct);

        var from = source?.Content();
        var to = target.Content();
        var fromName = source is null ? "(empty)" : $"{prompt.Name}@{source.Version}";
        var toName = $"{prompt.Name}@{target.Version}";
        var promptDiff = UnifiedDiff.Create(from is null ? "" : PromptText(from), PromptText(to), fromName, toName);
        var configDiff = UnifiedDiff.Create(from is null ? "" : PrettyConfig(from), PrettyConfig(to), fromName, toName);
        return TypedResults.Ok(new VersionDiffView(prompt.Name, target.Version, source?.Version,
            EnumText.Lower(to.ChangeFrom(from)), new DiffPart(promptDiff.Length > 0, promptDiff), new DiffPart(configDiff.Length > 0, configDiff)));

        // Chat messages are diffed as text: a header line per message, then its content.
        static string PromptText(VersionContent content) => content.Type == PromptType.Text
            ? content.Template!
            : string.Join("\n", content.Messages!.Select((m, i) => m.IsPlaceholder ? $"### [{i}] placeholder {m.Name}" : $"### [{i}] {m.Role}\n{m.Content}"));

        static string PrettyConfig(VersionContent content) => VersionContent.CanonicalJson(JsonNode.Parse(content.Config), indented: true);
    }

    static async Task<Ok<LabelView>> Activate(string name, string label, ActivateRequest request, HttpContext http, PromptRegistry registry, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        label = PromptRules.LabelFromRoute(label, forMove: true);
        new Validation()
            .Check(request.Version is not null, "version", "is required")
            .Check(request.Version is null or > 0, "version", "must be a positive whole number")
            .Check(request.Reason is null || request.Reason.Length <= MaxReasonLength, "reason", $"must be at most {MaxReasonLength} characters")
            .ThrowIfInvalid();
        var caller = http.Caller();
        var change = await registry.ActivateAsync(caller.ProjectId, promptName, label, request.Version!.Value, Reason(request.Reason), caller.KeyName, ct);
        return TypedResults.Ok(PromptViews.ToView(change));
    }

    static async Task<Ok<LabelView>> Rollback(string name, string label, RollbackRequest? request, HttpContext http, PromptRegistry registry, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        label = PromptRules.LabelFromRoute(label, forMove: true);
        new Validation()
            .Check(request?.Reason is null || request.Reason.Length <= MaxReasonLength, "reason", $"must be at most {MaxReasonLength} characters")
            .ThrowIfInvalid();
        var caller = http.Caller();
        var change = await registry.RollbackAsync(caller.ProjectId, promptName, label, Reason(request?.Reason), caller.KeyName, ct);
        return TypedResults.Ok(PromptViews.ToView(change));
    }

    static async Task<Ok<Paged<LabelMoveView>>> History(string name, string label, PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        label = PromptRules.LabelFromRoute(label, forMove: false);
        var prompt = await Find(db, http, name, ct);
        var moves = db.LabelMoves.Where(m => m.PromptId == prompt.Id && m.Label == label);
        var total = await moves.CountAsync(ct);
        if (total == 0) throw ProblemException.NotFound($"Prompt '{prompt.Name}' has no label '{label}'.");
        var page = await moves.OrderByDescending(m => m.Id).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Paged<LabelMoveView>(page.Select(PromptViews.ToView).ToList(), paging.Page, paging.PageSize, total));
    }

    static readonly IReadOnlyDictionary<string, int> Empty = new Dictionary<string, int>();

    static string Location(string name) => $"/api/v1/prompts/{Uri.EscapeDataString(name)}";

    static string? Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

    /// <summary>The caller's live prompt of that route name; 404 for unknown, archived or another project's.</summary>
    static async Task<Prompt> Find(PromptHubDb db, HttpContext http, string routeName, CancellationToken ct)
    {
        var name = PromptRules.NameFromRoute(routeName);
        var projectId = http.Caller().ProjectId;
        return await db.Prompts.AsNoTracking().SingleOrDefaultAsync(p => p.ProjectId == projectId && p.Name == name && p.ArchivedAt == null, ct)
            ?? throw ProblemException.NotFound($"There is no prompt named '{name}'.");
    }

    static async Task<PromptVersion> FindVersion(PromptHubDb db, Prompt prompt, int version, CancellationToken ct) =>
        await db.PromptVersions.AsNoTracking().SingleOrDefaultAsync(v => v.PromptId == prompt.Id && v.Version == version, ct)
        ?? throw ProblemException.NotFound(prompt.LatestVersion == 0
            ? $"Prompt '{prompt.Name}' has no versions yet."
            : $"Prompt '{prompt.Name}' has no version {version} (latest is {prompt.LatestVersion}).");

    static async Task<IReadOnlyDictionary<string, int>> LabelsOf(PromptHubDb db, Prompt prompt, CancellationToken ct) =>
        (await LabelsOf(db, [prompt.Id], ct)).GetValueOrDefault(prompt.Id, Empty);

    static async Task<Dictionary<Guid, IReadOnlyDictionary<string, int>>> LabelsOf(PromptHubDb db, List<Guid> promptIds, CancellationToken ct)
    {
        var labels = await db.Labels.AsNoTracking().Where(l => promptIds.Contains(l.PromptId)).ToListAsync(ct);
        return labels.GroupBy(l => l.PromptId)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.OrderBy(l => l.Name, StringComparer.Ordinal).ToDictionary(l => l.Name, l => l.Version));
    }
}

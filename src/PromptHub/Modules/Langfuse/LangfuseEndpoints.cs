using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Modules.Serving;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;
using PromptHub.Platform.Logging;

namespace PromptHub.Modules.Langfuse;

/// <summary>
/// The routes of Langfuse's public prompt API that its SDKs call (@langfuse/core `Prompts`, `PromptVersion`).
/// Names arrive encoded (`a%2Fb`, as the SDK sends them) or plain (`a/b`): each route takes the rest of the
/// path and decodes it once.
/// </summary>
static class LangfuseEndpoints
{
    const int MaxTags = 20;
    const int DefaultLimit = 10;
    const int MaxLimit = 100;

    public static void MapLangfuseEndpoints(this IEndpointRouteBuilder app)
    {
        var prompts = app.MapGroup(LangfuseModule.Root).WithTags("Langfuse-compatible").RequireAuthorization(AccessPolicies.Reader);
        prompts.MapGet("/", List).WithName("LangfuseListPrompts").WithSummary("List prompts (Langfuse's API)");
        prompts.MapPost("/", Create).WithName("LangfuseCreatePrompt").WithSummary("Create a prompt version (Langfuse's API)").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("Creates the prompt on its first version; errors in Langfuse's `{message, error}` envelope.");
        prompts.MapGet("/{**name}", Get).WithName("LangfuseGetPrompt").WithSummary("Get a prompt version (Langfuse's API)").WithMetadata(QuietRequestLog.Instance);
        prompts.MapPatch("/{**path}", UpdateLabels).WithName("LangfuseUpdatePromptVersion").WithSummary("Set a version's labels (Langfuse's API)").RequireAuthorization(AccessPolicies.Admin);
        prompts.MapDelete("/{**name}", Delete).WithName("LangfuseDeletePrompt").WithSummary("Delete a prompt or some of its versions (Langfuse's API)").RequireAuthorization(AccessPolicies.Admin);
    }

    /// <summary>
    /// A label's (default `production`) or a version's prompt, with includes resolved as Langfuse resolves its
    /// references (`resolve=false`: the stored text). From the serving cache; tags and commit message from the database.
    /// </summary>
    static async Task<Ok<LangfusePrompt>> Get(string name, string? version, string? label, string? resolve, HttpContext http,
        IPromptResolution resolution, IPromptReader prompts, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        var validation = new Validation();
        var number = ReadVersion(version, validation);
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        validation.Check(version is null || label is null, "version", "cannot be given together with label: ask for one or the other")
            .Check(resolve is null or "true" or "false", "resolve", "must be true or false")
            .ThrowIfInvalid();

        var projectId = http.Caller().ProjectId;
        ResolvedPrompt served;
        try
        {
            served = await resolution.ResolveAsync(projectId, promptName, label, number, inlineIncludes: resolve != "false");
        }
        catch (ProblemException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            throw ProblemException.NotFound($"Prompt not found: {e.Message}");
        }

        var stored = await prompts.FindAsync(projectId, served.Name, served.Version, ct);
        if (stored?.Version is null) throw ProblemException.NotFound($"Prompt not found: there is no prompt named '{served.Name}'.");
        return TypedResults.Ok(new LangfusePrompt(served.Name, served.Version, LangfuseJson.TypeName(served.Type),
            LangfuseJson.PromptOf(served.Template, served.Messages), JsonNode.Parse(served.Config),
            LabelsOf(served.Labels, served.LatestVersion, served.Version), stored.Prompt.Tags, stored.Version.CommitMessage));
    }

    /// <summary>
    /// A new prompt, or a new version of an existing one (Langfuse has no separate "create prompt"): the labels
    /// move to it, tags (when given) replace the prompt's. Content identical to the latest version makes no
    /// version, as everywhere in PromptHub: 200 with that version.
    /// </summary>
    static async Task<Results<Created<LangfusePrompt>, Ok<LangfusePrompt>>> Create(LangfuseCreateRequest request, HttpContext http,
        IPromptRegistry registry, IPromptReader prompts, IPromptTags promptTags, PromptHubDb db, CancellationToken ct)
    {
        var validation = new Validation();
        if (PromptRules.NameError(request.Name) is { } nameError) validation.Add("name", nameError);
        validation.Check(request.Type is null or "text" or "chat", "type", "must be 'text' or 'chat'")
            .Check(request.Tags is null || request.Tags.Length <= MaxTags, "tags", $"must have at most {MaxTags} tags");
        foreach (var tag in request.Tags ?? [])
        {
            if (PromptRules.TagError(tag) is { } tagError) validation.Add("tags", $"'{tag}' {tagError}");
        }
        var type = request.Type == "chat" ? PromptType.Chat : PromptType.Text;
        var (template, messages) = LangfuseJson.ReadPrompt(request.Prompt, type, validation);
        validation.ThrowIfInvalid();

        var caller = http.Caller();
        var name = request.Name!;
        var tags = request.Tags?.Distinct(StringComparer.Ordinal).ToArray();
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        // The prompt's lock, held until the commit: the type check, the tags and the upload see one state of it.
        var found = await prompts.FindAsync(caller.ProjectId, name, null, ct);
        var existing = found is null ? null : await registry.LockAsync(caller.ProjectId, found.Prompt.Id, ct);
        if (existing is null)
        {
            await registry.CreateAsync(caller.ProjectId, name, type, null, tags ?? [], ct);
        }
        else if (existing.Type != type)
        {
            throw ProblemException.Invalid("type", $"prompt '{name}' is a {LangfuseJson.TypeName(existing.Type)} prompt; its type cannot change");
        }
        else if (tags is not null)
        {
            await promptTags.ReplaceAsync(caller.ProjectId, existing.Id, tags, ct);
        }
        // The SDK sends `config` only when the caller gave one; Langfuse stores {} then, as PromptHub does.
        var config = request.Config is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Null ? null : request.Config;
        var result = await registry.UploadAsync(caller.ProjectId, name,
            new VersionRequest(template, messages, config, request.CommitMessage, request.Labels), caller.KeyName, ct);
        await transaction.CommitAsync(ct);

        var body = await StoredAsync(prompts, caller.ProjectId, name, result.Version, ct);
        return result.Created
            ? TypedResults.Created($"{LangfuseModule.Root}/{Uri.EscapeDataString(name)}?version={result.Version}", body)
            : TypedResults.Ok(body);
    }

    /// <summary>
    /// `PATCH …/{name}/versions/{version}` `{newLabels}`: each label moves to that version (and so off any other),
    /// recorded in the label's history with the key as actor, exactly as PromptHub's own activation.
    /// </summary>
    static async Task<Ok<LangfusePrompt>> UpdateLabels(string path, LangfuseUpdateRequest request, HttpContext http,
        IPromptRegistry registry, IPromptReader prompts, PromptHubDb db, CancellationToken ct)
    {
        path = Uri.UnescapeDataString(path); // also when the whole tail comes encoded (Swagger UI); names never contain '%'
        var versionsAt = path.LastIndexOf("/versions/", StringComparison.Ordinal);
        if (versionsAt <= 0) throw ProblemException.NotFound("There is nothing at this address: PATCH takes /api/public/v2/prompts/{name}/versions/{version}.");
        var name = PromptRules.NameFromRoute(path[..versionsAt]);
        var validation = new Validation();
        var version = ReadVersion(path[(versionsAt + "/versions/".Length)..], validation);
        validation.Check(request.NewLabels is not null, "newLabels", "is required: the labels to point at this version");
        foreach (var label in request.NewLabels ?? [])
        {
            if (PromptRules.LabelError(label, forMove: true) is { } error) validation.Add("newLabels", $"'{label}' {error}");
        }
        validation.ThrowIfInvalid();

        var caller = http.Caller();
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        foreach (var label in request.NewLabels!.Distinct(StringComparer.Ordinal))
        {
            await registry.ActivateAsync(caller.ProjectId, name, label, version!.Value, reason: null, caller.KeyName, ct);
        }
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(await StoredAsync(prompts, caller.ProjectId, name, version!.Value, ct));
    }

    /// <summary>
    /// PromptHub never deletes versions (they are immutable and the history is kept): deleting a prompt archives
    /// it, as `DELETE /api/v1/prompts/{name}` does. A `version` or `label` filter archives the prompt only when
    /// it matches every version; one that would leave other versions behind is refused (400), naming the way out.
    /// </summary>
    static async Task<NoContent> Delete(string name, string? version, string? label, HttpContext http,
        IPromptRegistry registry, IPromptReader prompts, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        var validation = new Validation();
        var number = ReadVersion(version, validation);
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        validation.ThrowIfInvalid();
        var projectId = http.Caller().ProjectId;

        if (number is not null || label is not null)
        {
            var prompt = (await prompts.FindAsync(projectId, promptName, null, ct))?.Prompt
                ?? throw ProblemException.NotFound($"Prompt not found: there is no prompt named '{promptName}'.");
            int? target = label is null ? null
                : label == PromptRules.Latest ? prompt.LatestVersion
                : prompt.Labels.TryGetValue(label, out var pointed) ? pointed : null;
            var matched = number ?? target;
            if (matched is null or 0 || matched > prompt.LatestVersion || (number is not null && label is not null && number != target))
            {
                throw ProblemException.NotFound($"Prompt not found: prompt '{promptName}' has no version matching {Filter(number, label)}.");
            }
            if (prompt.LatestVersion > 1)
            {
                throw ProblemException.Invalid(number is not null ? "version" : "label",
                    $"PromptHub keeps every version of a prompt ({Filter(number, label)} is one of {prompt.LatestVersion}); " +
                    "delete the whole prompt (it is archived), or move its labels to another version with prompt.update");
            }
        }
        await registry.ArchiveAsync(projectId, promptName, ct);
        return TypedResults.NoContent();
    }

    static string Filter(int? version, string? label) =>
        string.Join(" and ", new[] { version is null ? null : $"version {version}", label is null ? null : $"label '{label}'" }.OfType<string>());

    /// <summary>
    /// Prompts with the versions that match every filter given (`label`, `fromUpdatedAt`/`toUpdatedAt` on the
    /// versions' creation times; versions are immutable), sorted by name; a prompt none of whose versions
    /// match is left out, as in Langfuse.
    /// </summary>
    static async Task<Ok<LangfusePromptList>> List(string? name, string? label, string? tag, string? page, string? limit,
        string? fromUpdatedAt, string? toUpdatedAt, HttpContext http, IPromptReader prompts, CancellationToken ct)
    {
        var validation = new Validation();
        var pageNumber = ReadWhole(page, "page", 1, int.MaxValue, 1, validation);
        var pageSize = ReadWhole(limit, "limit", 1, MaxLimit, DefaultLimit, validation);
        var from = ReadTime(fromUpdatedAt, "fromUpdatedAt", validation);
        var to = ReadTime(toUpdatedAt, "toUpdatedAt", validation);
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        validation.ThrowIfInvalid();

        var matched = await prompts.MatchAsync(http.Caller().ProjectId, new VersionFilter(name, tag, label, from, to), pageNumber, pageSize, ct);
        var data = matched.Items.Select(m => new LangfusePromptMeta(m.Name, LangfuseJson.TypeName(m.Type), m.Versions, m.Labels, m.Tags,
            m.LastCreatedAt, JsonNode.Parse(m.LastConfig))).ToList();
        var total = matched.Total;
        var totalPages = (total + pageSize - 1) / pageSize;
        return TypedResults.Ok(new LangfusePromptList(data, new LangfuseMeta(pageNumber, pageSize, total, totalPages)));
    }

    /// <summary>A version as stored (references not resolved, as Langfuse answers writes), with its labels and the prompt's tags.</summary>
    static async Task<LangfusePrompt> StoredAsync(IPromptReader prompts, Guid projectId, string name, int version, CancellationToken ct)
    {
        var found = await prompts.FindAsync(projectId, name, version, ct)
            ?? throw ProblemException.NotFound($"Prompt not found: there is no prompt named '{name}'.");
        var (prompt, stored) = (found.Prompt, found.Version
            ?? throw ProblemException.NotFound($"Prompt not found: prompt '{name}' has no version {version} (latest is {found.Prompt.LatestVersion})."));
        return new LangfusePrompt(prompt.Name, stored.Version, LangfuseJson.TypeName(stored.Type),
            LangfuseJson.PromptOf(stored.Template, stored.Messages), JsonNode.Parse(stored.Config),
            LabelsOf(prompt.Labels, prompt.LatestVersion, stored.Version), prompt.Tags, stored.CommitMessage);
    }

    /// <summary>The labels pointing at <paramref name="version"/>, sorted, with `latest` when it is the highest (Langfuse lists it too).</summary>
    static List<string> LabelsOf(IReadOnlyDictionary<string, int> labels, int latestVersion, int version)
    {
        var pointing = labels.Where(l => l.Value == version).Select(l => l.Key).Order(StringComparer.Ordinal).ToList();
        if (version == latestVersion) pointing.Add(PromptRules.Latest);
        return pointing;
    }

    static int? ReadVersion(string? text, Validation validation)
    {
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0) return version;
        validation.Add("version", "must be a positive whole number");
        return null;
    }

    static int ReadWhole(string? text, string field, int min, int max, int fallback, Validation validation)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        validation.Add(field, max == int.MaxValue ? $"must be a whole number from {min}" : $"must be a whole number from {min} to {max}");
        return fallback;
    }

    static DateTimeOffset? ReadTime(string? text, string field, Validation validation)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time.ToUniversalTime();
        validation.Add(field, "must be a date and time (ISO 8601)");
        return null;
    }
}

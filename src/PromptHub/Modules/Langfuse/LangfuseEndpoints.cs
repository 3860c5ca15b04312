using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
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

    public static void MapLangfuseRoutes(this IEndpointRouteBuilder app)
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
        PromptResolver resolver, PromptHubDb db, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        var validation = new Validation();
        var number = ReadVersion(version, validation);
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        validation.Check(version is null || label is null, "version", "cannot be given together with label: ask for one or the other")
            .Check(resolve is null or "true" or "false", "resolve", "must be true or false")
            .ThrowIfInvalid();

        Resolution resolution;
        try
        {
            resolution = await resolver.ResolveAsync(http.Caller().ProjectId, promptName, label, number, subject: null);
        }
        catch (ProblemException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            throw ProblemException.NotFound($"Prompt not found: {e.Message}");
        }
        var served = resolution.Version;
        var (template, messages) = resolve == "false"
            ? (served.Template, served.Messages)
            : await ContentOf(resolver, resolution);

        var stored = await (from v in db.PromptVersions
                            join p in db.Prompts on v.PromptId equals p.Id
                            where v.PromptId == resolution.Prompt.Id && v.Version == served.Version
                            select new { p.Tags, v.CommitMessage }).SingleAsync(ct);
        return TypedResults.Ok(new LangfusePrompt(resolution.Prompt.Name, served.Version, LangfuseJson.TypeName(served.Type),
            LangfuseJson.PromptOf(template, messages), JsonNode.Parse(served.Config),
            LabelsOf(resolution.Prompt.Labels, resolution.Prompt.LatestVersion, served.Version), stored.Tags, stored.CommitMessage));
    }

    static async Task<(string?, IReadOnlyList<ChatMessage>?)> ContentOf(PromptResolver resolver, Resolution resolution)
    {
        var content = await resolver.ContentAsync(resolution);
        return (content.Template, content.Messages);
    }

    /// <summary>
    /// A new prompt, or a new version of an existing one (Langfuse has no separate "create prompt"): the labels
    /// move to it, tags (when given) replace the prompt's. Content identical to the latest version makes no
    /// version, as everywhere in PromptHub: 200 with that version.
    /// </summary>
    static async Task<Results<Created<LangfusePrompt>, Ok<LangfusePrompt>>> Create(LangfuseCreateRequest request, HttpContext http,
        PromptRegistry registry, PromptHubDb db, TimeProvider time, CancellationToken ct)
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
        var existing = await db.Prompts
            .FromSql($"SELECT * FROM prompts.prompts WHERE project_id = {caller.ProjectId} AND name = {name} AND archived_at IS NULL FOR UPDATE")
            .SingleOrDefaultAsync(ct);
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
            existing.ReplaceTags(tags, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }
        // The SDK sends `config` only when the caller gave one; Langfuse stores {} then, as PromptHub does.
        var config = request.Config is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Null ? null : request.Config;
        var result = await registry.UploadAsync(caller.ProjectId, name,
            new VersionRequest(template, messages, config, request.CommitMessage, request.Labels), caller.KeyName, ct);
        await transaction.CommitAsync(ct);

        var body = await StoredAsync(db, caller.ProjectId, name, result.Version.Version, ct);
        return result.Created
            ? TypedResults.Created($"{LangfuseModule.Root}/{Uri.EscapeDataString(name)}?version={result.Version.Version}", body)
            : TypedResults.Ok(body);
    }

    /// <summary>
    /// `PATCH …/{name}/versions/{version}` `{newLabels}`: each label moves to that version (and so off any other),
    /// recorded in the label's history with the key as actor, exactly as PromptHub's own activation.
    /// </summary>
    static async Task<Ok<LangfusePrompt>> UpdateLabels(string path, LangfuseUpdateRequest request, HttpContext http,
        PromptRegistry registry, PromptHubDb db, CancellationToken ct)
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
        return TypedResults.Ok(await StoredAsync(db, caller.ProjectId, name, version!.Value, ct));
    }

    /// <summary>
    /// PromptHub never deletes versions (they are immutable and the history is kept): deleting a prompt archives
    /// it, as `DELETE /api/v1/prompts/{name}` does. A `version` or `label` filter archives the prompt only when
    /// it matches every version; one that would leave other versions behind is refused (400), naming the way out.
    /// </summary>
    static async Task<NoContent> Delete(string name, string? version, string? label, HttpContext http,
        PromptRegistry registry, PromptHubDb db, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        var validation = new Validation();
        var number = ReadVersion(version, validation);
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        validation.ThrowIfInvalid();
        var projectId = http.Caller().ProjectId;

        if (number is not null || label is not null)
        {
            var prompt = await db.Prompts.SingleOrDefaultAsync(p => p.ProjectId == projectId && p.Name == promptName && p.ArchivedAt == null, ct)
                ?? throw ProblemException.NotFound($"Prompt not found: there is no prompt named '{promptName}'.");
            int? target = label is null ? null
                : label == PromptRules.Latest ? prompt.LatestVersion
                : await db.Labels.Where(l => l.PromptId == prompt.Id && l.Name == label).Select(l => (int?)l.Version).SingleOrDefaultAsync(ct);
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
        string? fromUpdatedAt, string? toUpdatedAt, HttpContext http, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var validation = new Validation();
        var pageNumber = ReadWhole(page, "page", 1, int.MaxValue, 1, validation);
        var pageSize = ReadWhole(limit, "limit", 1, MaxLimit, DefaultLimit, validation);
        var from = ReadTime(fromUpdatedAt, "fromUpdatedAt", validation);
        var to = ReadTime(toUpdatedAt, "toUpdatedAt", validation);
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        validation.ThrowIfInvalid();

        const string sql = """
            WITH matching AS (
                SELECT p.id, p.name, p.type, p.tags, p.latest_version, v.version, v.config::text AS config, v.created_at
                FROM prompts.prompts p
                JOIN prompts.prompt_versions v ON v.prompt_id = p.id
                WHERE p.project_id = $1 AND p.archived_at IS NULL
                  AND ($2::text IS NULL OR p.name = $2)
                  AND ($3::text IS NULL OR $3 = ANY (p.tags))
                  AND ($4::text IS NULL
                       OR ($4 = 'latest' AND v.version = p.latest_version)
                       OR EXISTS (SELECT 1 FROM prompts.labels l WHERE l.prompt_id = p.id AND l.name = $4 AND l.version = v.version))
                  AND ($5::timestamptz IS NULL OR v.created_at >= $5)
                  AND ($6::timestamptz IS NULL OR v.created_at < $6)
            ),
            counted AS (SELECT count(DISTINCT id)::int AS total FROM matching),
            page AS (
                SELECT id, name, type, tags, latest_version,
                       array_agg(version ORDER BY version) AS versions,
                       max(created_at) AS last_updated_at,
                       (array_agg(config ORDER BY version DESC))[1] AS last_config
                FROM matching
                GROUP BY id, name, type, tags, latest_version
                ORDER BY name COLLATE "C"
                LIMIT $7 OFFSET $8
            )
            SELECT counted.total, page.name, page.type, page.tags, page.versions, page.last_updated_at, page.last_config,
                   coalesce((SELECT array_agg(l.name ORDER BY l.name COLLATE "C") FROM prompts.labels l
                             WHERE l.prompt_id = page.id AND l.version = ANY (page.versions)), '{}')
                   || CASE WHEN page.latest_version = ANY (page.versions) THEN ARRAY['latest']::varchar[] ELSE '{}' END
            FROM counted LEFT JOIN page ON true
            ORDER BY page.name COLLATE "C"
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = http.Caller().ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tag ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)label ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)from ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)to ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = pageSize });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(pageNumber - 1) * pageSize });

        var total = 0;
        var data = new List<LangfusePromptMeta>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                total = reader.GetInt32(0);
                if (reader.IsDBNull(1)) continue;
                data.Add(new LangfusePromptMeta(reader.GetString(1), reader.GetString(2), reader.GetFieldValue<int[]>(4),
                    reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(3), reader.GetFieldValue<DateTimeOffset>(5),
                    JsonNode.Parse(reader.GetString(6))));
            }
        }
        var totalPages = (total + pageSize - 1) / pageSize;
        return TypedResults.Ok(new LangfusePromptList(data, new LangfuseMeta(pageNumber, pageSize, total, totalPages)));
    }

    /// <summary>A version as stored (references not resolved, as Langfuse answers writes), with its labels and the prompt's tags.</summary>
    static async Task<LangfusePrompt> StoredAsync(PromptHubDb db, Guid projectId, string name, int version, CancellationToken ct)
    {
        var prompt = await db.Prompts.AsNoTracking().SingleOrDefaultAsync(p => p.ProjectId == projectId && p.Name == name && p.ArchivedAt == null, ct)
            ?? throw ProblemException.NotFound($"Prompt not found: there is no prompt named '{name}'.");
        var stored = await db.PromptVersions.AsNoTracking().SingleOrDefaultAsync(v => v.PromptId == prompt.Id && v.Version == version, ct)
            ?? throw ProblemException.NotFound($"Prompt not found: prompt '{name}' has no version {version} (latest is {prompt.LatestVersion}).");
        var labels = await db.Labels.AsNoTracking().Where(l => l.PromptId == prompt.Id).ToDictionaryAsync(l => l.Name, l => l.Version, ct);
        var content = stored.Content();
        return new LangfusePrompt(prompt.Name, stored.Version, LangfuseJson.TypeName(stored.Type),
            LangfuseJson.PromptOf(content.Template, content.Messages), JsonNode.Parse(stored.Config),
            LabelsOf(labels, prompt.LatestVersion, stored.Version), prompt.Tags, stored.CommitMessage);
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

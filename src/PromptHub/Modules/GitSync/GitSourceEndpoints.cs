using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.GitSync;

public sealed record GitSourceRequest(string? Url, string? Branch, string? Path, string? Username, string? Token, string[]? Labels,
    bool? ArchiveDeleted, string? WebhookSecret);

public sealed record SyncCountsView(int Created, int Unchanged, int Rejected, int LabelsMoved);
public sealed record FileErrorView(string Path, int? Line, string Message);
public sealed record GitSyncStatusView(string State, DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, string? LastCommit, string? LastResult,
    string? LastError, DateTimeOffset? FailingSince, int ConsecutiveFailures, DateTimeOffset? NextAttemptAt, SyncCountsView Counts, IReadOnlyList<FileErrorView> FileErrors);
/// <summary>The webhook's address; the secret itself only in the PUT answer that set it.</summary>
public sealed record GitWebhookView(string Url, string? Secret);
public sealed record GitSourceView(string Url, string Branch, string Path, string? Username, bool TokenSet, string[] Labels, bool ArchiveDeleted,
    GitWebhookView Webhook, GitSyncStatusView Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy);
public sealed record GitFetchView(long Id, DateTimeOffset StartedAt, int DurationMs, string Trigger, string? Commit, string Result, string? Error,
    int Created, int Unchanged, int Rejected);

/// <summary>The git source of the caller's project over HTTP: connect, show, disconnect, sync, preview, webhook, log, export.</summary>
static class GitSourceEndpoints
{
    const string Route = "/git-source";
    const long MaxWebhookBytes = 25L * 1024 * 1024;

    public static void MapGitSyncEndpoints(this IEndpointRouteBuilder api)
    {
        var source = api.MapGroup(Route).WithTags("Git sync").RequireAuthorization(AccessPolicies.Admin).ProducesProblem(StatusCodes.Status404NotFound);
        source.MapPut("/", Put).WithName("PutGitSource").WithSummary("Connect (or change) the project's Git repository")
            .WithDescription("201 when it connects, 200 when it changes. The token is stored encrypted and never shown; the webhook secret only in the answer that set it. Nothing is fetched until the next sync (POST /api/v1/git-source/sync, a push to the webhook, or the recurring sync job).");
        source.MapGet("/", Get).WithName("GetGitSource").WithSummary("Read the Git source and its sync state");
        source.MapDelete("/", Delete).WithName("DeleteGitSource").WithSummary("Disconnect the Git repository")
            .WithDescription("Prompts already imported stay.");
        source.MapPost("/sync", Sync).WithName("SyncGitSource").WithSummary("Sync now").ProducesProblem(StatusCodes.Status502BadGateway)
            .WithDescription("Fetches the branch and turns each changed `*.prompt` file into a version. 502: the repository could not be reached or refused the credentials.");
        source.MapPost("/preview", Preview).WithName("PreviewGitSource").WithSummary("Preview a sync").ProducesProblem(StatusCodes.Status502BadGateway)
            .WithDescription("What a sync would create, leave unchanged and reject, without writing anything. 502: the repository could not be reached.");
        source.MapGet("/log", Log).WithName("GitFetchLog").WithSummary("The fetch log, newest first");
        source.MapGet("/export", Export).WithName("ExportPrompts").WithSummary("Export the project's prompts as *.prompt files")
            .Produces(StatusCodes.Status200OK, responseType: null, "application/x-tar", "application/zip")
            .WithDescription("A tar or zip archive of one file per prompt, in the format a Git source reads.");
        // Called by GitHub or GitLab: no key, the signature proves the sender.
        api.MapPost(Route + "/webhook", Webhook).WithTags("Git sync").WithName("GitWebhook").WithSummary("Webhook for GitHub or GitLab pushes").AllowAnonymous()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithMetadata(new RequestSizeLimitAttribute(MaxWebhookBytes)) // GitHub sends push payloads of up to 25 MB
            .WithDescription("Called by the Git host with no API key: the signature (GitHub) or token (GitLab) made from the webhook secret proves the sender; 401 otherwise. A push to the branch queues a sync.");
    }

    static async Task<Results<Created<GitSourceView>, Ok<GitSourceView>>> Put(GitSourceRequest request, HttpContext http, PromptHubDb db, GitSync sync,
        GitSecrets secrets, GitRepositories repositories, TimeProvider time, CancellationToken ct)
    {
        var (url, branch, path, labels) = GitSourceRules.Validate(request);
        var caller = http.Caller();
        await using var held = await sync.LockAsync(caller.ProjectId, ct); // not while a sync runs
        var now = time.GetUtcNow();
        var source = await db.GitSources.SingleOrDefaultAsync(s => s.ProjectId == caller.ProjectId, ct);
        var created = source is null;
        if (source is null) db.GitSources.Add(source = GitSource.Create(caller.ProjectId, now));
        var previousHost = created ? null : new Uri(source.Url).Host;
        var moved = source.Configure(url, branch, path, string.IsNullOrEmpty(request.Username) ? null : request.Username, labels,
            request.ArchiveDeleted ?? false, caller.KeyName, now);
        if (request.Token is not null) source.SetToken(request.Token.Length == 0 ? null : secrets.Protect(request.Token));
        // A stored token is only ever sent to the host it was given for.
        else if (previousHost is not null && previousHost != new Uri(url).Host) source.SetToken(null);
        string? newSecret = null;
        if (request.WebhookSecret is not null || created) source.SetWebhookSecret(secrets.Protect(newSecret = request.WebhookSecret ?? GitSecrets.NewWebhookSecret()));
        if (moved)
        {
            await db.GitFiles.Where(f => f.ProjectId == caller.ProjectId).ExecuteDeleteAsync(ct);
            repositories.Remove(caller.ProjectId);
        }
        await db.SaveChangesAsync(ct);
        var view = ToView(source, newSecret);
        return created ? TypedResults.Created("/api/v1" + Route, view) : TypedResults.Ok(view);
    }

    static async Task<Ok<GitSourceView>> Get(HttpContext http, PromptHubDb db, CancellationToken ct) =>
        TypedResults.Ok(ToView(await FindAsync(db, http.Caller().ProjectId, ct), null));

    /// <summary>Disconnects: the source, its file records and its log go; imported prompts and versions stay.</summary>
    static async Task<NoContent> Delete(HttpContext http, PromptHubDb db, GitSync sync, GitRepositories repositories, CancellationToken ct)
    {
        var projectId = http.Caller().ProjectId;
        await using var held = await sync.LockAsync(projectId, ct);
        var deleted = await db.GitSources.Where(s => s.ProjectId == projectId).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw ProblemException.NotFound("This project has no git source.");
        repositories.Remove(projectId);
        return TypedResults.NoContent();
    }

    static async Task<Ok<SyncReport>> Sync(HttpContext http, GitSync sync, CancellationToken ct) =>
        TypedResults.Ok(Answer(await sync.SyncAsync(http.Caller().ProjectId, FetchTrigger.Manual, ct)));

    /// <summary>What a sync would create, move and reject now; nothing is written but the fetch log entry.</summary>
    static async Task<Ok<SyncReport>> Preview(HttpContext http, GitSync sync, CancellationToken ct) =>
        TypedResults.Ok(Answer(await sync.SyncAsync(http.Caller().ProjectId, FetchTrigger.Preview, ct)));

    /// <summary>A fetch that failed is the repository's fault, not the caller's: 502, and the failure is in the status and log.</summary>
    static SyncReport Answer(SyncReport report) =>
        report.Result == "failed"
            ? throw new ProblemException(StatusCodes.Status502BadGateway, "The repository could not be fetched", report.Error!)
            : report;

    static async Task<Ok<Paged<GitFetchView>>> Log(PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var projectId = http.Caller().ProjectId;
        await FindAsync(db, projectId, ct);
        var query = db.GitFetches.AsNoTracking().Where(f => f.ProjectId == projectId);
        var total = await query.CountAsync(ct);
        var page = await query.OrderByDescending(f => f.Id).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Paged<GitFetchView>([.. page.Select(f => new GitFetchView(f.Id, f.StartedAt, f.DurationMs, EnumText.Lower(f.Trigger), f.Commit,
            EnumText.Lower(f.Result), f.Error, f.Created, f.Unchanged, f.Rejected))], paging.Page, paging.PageSize, total));
    }

    /// <summary>
    /// Every live prompt at <paramref name="label"/> (or its latest version) as `.prompt` files in a tar or zip,
    /// ready to commit.
    /// </summary>
    static async Task<IResult> Export(string? label, string? format, HttpContext http, IPromptReader prompts, CancellationToken ct)
    {
        format ??= "tar";
        var validation = new Validation().Check(format is "tar" or "zip", "format", "must be 'tar' or 'zip'");
        if (label is not null && label != "latest" && PromptRules.LabelError(label, forMove: true) is { } labelError) validation.Add("label", labelError);
        validation.ThrowIfInvalid();
        var projectId = http.Caller().ProjectId;
        var files = new List<(string Name, byte[] Bytes)>();
        var skipped = new List<string>();
        foreach (var (prompt, version) in await prompts.AtLabelAsync(projectId, label, ct))
        {
            if (!PromptFile.CanWrite(version!.Messages)) { skipped.Add(prompt.Name); continue; }
            var text = PromptFile.Write(prompt.Type, version.Format, prompt.Description, prompt.Tags, version.Config, version.Template, version.Messages);
            files.Add((prompt.Name + PromptFile.Extension, Encoding.UTF8.GetBytes(text)));
        }
        if (skipped.Count > 0) http.Response.Headers["PromptHub-Export-Skipped"] = string.Join(",", skipped);
        using var archive = new MemoryStream();
        if (format == "zip")
        {
            using var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, bytes) in files)
            {
                await using var entry = await zip.CreateEntry(name).OpenAsync(ct);
                await entry.WriteAsync(bytes, ct);
            }
        }
        else
        {
            await using var tar = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true);
            foreach (var (name, bytes) in files)
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) }, ct);
            }
        }
        return TypedResults.File(archive.ToArray(), format == "zip" ? "application/zip" : "application/x-tar", $"prompts.{format}");
    }

    /// <summary>
    /// A push from GitHub (`X-Hub-Signature-256`, HMAC-SHA256 of the body) or GitLab (`X-Gitlab-Token`): a sync is
    /// queued. Any failure to verify — unknown project, no source, wrong signature — is the same 401, and nothing happens.
    /// </summary>
    static async Task<Results<Accepted<WebhookAnswer>, Ok<WebhookAnswer>>> Webhook(string? project, HttpContext http, PromptHubDb db, GitSecrets secrets,
        IBackgroundJobClient jobs, CancellationToken ct)
    {
        var source = Guid.TryParse(project, out var projectId)
            ? await db.GitSources.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId, ct)
            : null;
        var secret = source is null ? null : secrets.Unprotect(source.ProtectedWebhookSecret);
        // The body is read (it is what is signed) only for a source that exists.
        using var buffer = new MemoryStream();
        if (secret is not null) await http.Request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        var headers = http.Request.Headers;
        var verified = secret is not null && (headers.ContainsKey("X-Hub-Signature-256")
            ? GitSecrets.IsValidSignature(secret, body, headers["X-Hub-Signature-256"])
            : GitSecrets.IsValidToken(secret, headers["X-Gitlab-Token"]));
        if (!verified)
        {
            throw new ProblemException(StatusCodes.Status401Unauthorized, "The webhook is not signed with this source's secret",
                "Send X-Hub-Signature-256 (GitHub) or X-Gitlab-Token (GitLab) made with the secret PUT /api/v1/git-source answered.");
        }
        if (headers["X-GitHub-Event"] == "ping") return TypedResults.Ok(new WebhookAnswer(false, null, "ping received"));
        var pushed = PushedRef(body);
        if (pushed is not null && pushed != $"refs/heads/{source!.Branch}")
        {
            return TypedResults.Ok(new WebhookAnswer(false, null, $"a push to {pushed}, not to the source's branch '{source.Branch}'"));
        }
        var jobId = jobs.Enqueue<GitWebhookSyncJob>(job => job.RunAsync(projectId, null, CancellationToken.None));
        return TypedResults.Accepted((string?)null, new WebhookAnswer(true, jobId, "sync queued"));
    }

    static string? PushedRef(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("ref", out var pushed)
                && pushed.ValueKind == JsonValueKind.String ? pushed.GetString() : null;
        }
        catch (JsonException)
        {
            return null; // not a push payload: sync anyway, a sync of an unchanged branch imports nothing
        }
    }

    static async Task<GitSource> FindAsync(PromptHubDb db, Guid projectId, CancellationToken ct) =>
        await db.GitSources.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId, ct)
        ?? throw ProblemException.NotFound("This project has no git source: connect one with PUT /api/v1/git-source.");

    static GitSourceView ToView(GitSource s, string? newSecret)
    {
        var state = s.LastResult switch
        {
            null => "never_synced",
            SyncResult.Failed => "failing",
            SyncResult.Partial => "partial",
            _ => "ok",
        };
        var errors = JsonSerializer.Deserialize<FileErrorView[]>(s.FileErrors, JsonSerializerOptions.Web) ?? [];
        var status = new GitSyncStatusView(state, s.LastAttemptAt, s.LastSuccessAt, s.LastCommit, s.LastResult is { } r ? EnumText.Lower(r) : null, s.LastError,
            s.FailingSince, s.ConsecutiveFailures, s.NextAttemptAt, new SyncCountsView(s.LastCreated, s.LastUnchanged, s.LastRejected, s.LastLabelsMoved), errors);
        return new GitSourceView(s.Url, s.Branch, s.Path, s.Username, s.ProtectedToken is not null, s.Labels, s.ArchiveDeleted,
            new GitWebhookView($"/api/v1{Route}/webhook?project={s.ProjectId}", newSecret), status, s.CreatedAt, s.UpdatedAt, s.UpdatedBy);
    }

    }

public sealed record WebhookAnswer(bool Queued, string? JobId, string Message);

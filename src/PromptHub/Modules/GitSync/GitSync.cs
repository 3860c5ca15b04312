using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.GitSync;

/// <summary>What a sync did (or, previewed, would do) with one file.</summary>
public sealed record SyncFileReport(string Path, string Prompt, string Action, int? Version, string[] LabelsMoved, string[] LabelsNotAllowed,
    int? Line, string? Error);

/// <summary>A sync's answer: the commit, the counts, and each file that was not skipped as unchanged since the last import.</summary>
public sealed record SyncReport(string Result, string? Commit, int Created, int Unchanged, int Rejected, int LabelsMoved, int Archived,
    IReadOnlyList<SyncFileReport> Files, string? Error, bool DryRun);

/// <summary>
/// A sync: fetch the branch, then import each changed `*.prompt` file through the Prompts module's own
/// upload (its validation, dedupe, labels, history and announcements), each file in a transaction of its own
/// with the record of its blob — so a crash mid-sync keeps what was imported and the next sync does the rest,
/// and a file already imported at that blob is skipped. One sync per project at a time across instances: a
/// PostgreSQL advisory lock held by a connection of its own (released when it closes, also if the process dies).
/// A preview runs the same steps and rolls each file's transaction back.
/// </summary>
sealed class GitSync(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, GitRepositories repositories, GitSecrets secrets,
    IOptions<GitSyncOptions> options, TimeProvider time, ILogger<GitSync> log)
{
    /// <summary>The first key of the advisory lock: this module's (the second is the project's).</summary>
    const int LockClass = 14_001;

    /// <summary>Holds the project's sync lock until disposed; PUT and DELETE of the source take it too.</summary>
    public async Task<IAsyncDisposable> LockAsync(Guid projectId, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        var key = BitConverter.ToInt32(projectId.ToByteArray(), 12); // v7 ids end in random bits
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", connection);
        command.Parameters.AddWithValue(LockClass);
        command.Parameters.AddWithValue(key);
        await command.ExecuteNonQueryAsync(ct);
        return new HeldLock(connection, key);
    }

    /// <summary>
    /// Unlocks before the connection goes back to the pool (a pooled session would keep the lock); if the
    /// unlock cannot be sent, the broken connection is dropped and its session, lock included, ends.
    /// </summary>
    sealed class HeldLock(NpgsqlConnection connection, int key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", connection);
                command.Parameters.AddWithValue(LockClass);
                command.Parameters.AddWithValue(key);
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    public async Task<SyncReport> SyncAsync(Guid projectId, FetchTrigger trigger, CancellationToken ct)
    {
        var dryRun = trigger == FetchTrigger.Preview;
        await using var held = await LockAsync(projectId, ct);
        var started = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        GitSource source;
        Dictionary<string, GitFile> imported;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
            source = await db.GitSources.AsNoTracking().SingleOrDefaultAsync(s => s.ProjectId == projectId, ct)
                ?? throw ProblemException.NotFound("This project has no git source: connect one with PUT /api/v1/git-source.");
            imported = await db.GitFiles.AsNoTracking().Where(f => f.ProjectId == projectId).ToDictionaryAsync(f => f.FilePath, StringComparer.Ordinal, ct);
        }

        FetchedTree tree;
        try
        {
            var token = secrets.Unprotect(source.ProtectedToken);
            tree = await Task.Run(() => repositories.Fetch(projectId, source.Url, source.Branch, source.Path, source.Username, token), ct);
        }
        catch (FetchFailedException e)
        {
            log.LogWarning("Git sync of project {ProjectId} could not fetch: {Error}", projectId, e.Message);
            await RecordAsync(projectId, s => s.Failed(e.Message, time.GetUtcNow(), options.Value.Interval, options.Value.MaxBackoff), dryRun,
                GitFetch.Record(projectId, started, watch.Elapsed, trigger, null, SyncResult.Failed, e.Message, null), ct);
            return new SyncReport("failed", null, 0, 0, 0, 0, 0, [], e.Message, dryRun);
        }

        var reports = new List<SyncFileReport>();
        var unchanged = 0;
        try
        {
            foreach (var file in tree.Files)
            {
                ct.ThrowIfCancellationRequested();
                if (imported.TryGetValue(file.FilePath, out var previous) && previous.BlobSha == file.BlobSha)
                {
                    unchanged++;
                    continue;
                }
                reports.Add(await ImportAsync(source, tree.Commit, file, dryRun, ct));
            }
            var present = tree.Files.Select(f => f.FilePath).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in imported.Values.Where(f => !present.Contains(f.FilePath)))
            {
                if (source.ArchiveDeleted) reports.Add(await ArchiveAsync(source, gone, dryRun, ct));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The files imported so far stay; the next sync does the rest. Logged if the database still answers.
            var error = $"the sync stopped after {reports.Count + unchanged} of {tree.Files.Count} files ({e.GetType().Name}); the next sync goes on from there";
            try
            {
                await RecordAsync(projectId, s => s.Failed(error, time.GetUtcNow(), options.Value.Interval, options.Value.MaxBackoff), dryRun,
                    GitFetch.Record(projectId, started, watch.Elapsed, trigger, tree.Commit, SyncResult.Failed, error, null), CancellationToken.None);
            }
            catch (Exception recordError) when (recordError is not OperationCanceledException)
            {
                log.LogWarning("Could not record the failed git sync of project {ProjectId}: {Error}", projectId, recordError.Message);
            }
            throw;
        }

        var counts = new SyncCounts(
            reports.Count(r => r.Action == "created"),
            unchanged + reports.Count(r => r.Action == "unchanged"),
            reports.Count(r => r.Action == "rejected"),
            reports.Sum(r => r.LabelsMoved.Length));
        var rejected = reports.Where(r => r.Action == "rejected").Select(r => new { path = r.Path, line = r.Line, message = r.Error }).ToList();
        var result = counts.Rejected == 0 ? SyncResult.Succeeded : SyncResult.Partial;
        await RecordAsync(projectId, s => s.Succeeded(tree.Commit, counts, JsonSerializer.Serialize(rejected), time.GetUtcNow(), options.Value.Interval), dryRun,
            GitFetch.Record(projectId, started, watch.Elapsed, trigger, tree.Commit, result, null, counts), ct);
        log.LogInformation("Git sync of project {ProjectId} at {Commit}: {Created} created, {Unchanged} unchanged, {Rejected} rejected{Preview}",
            projectId, tree.Commit[..7], counts.Created, counts.Unchanged, counts.Rejected, dryRun ? " (preview)" : "");
        return new SyncReport(EnumText.Lower(result), tree.Commit, counts.Created, counts.Unchanged, counts.Rejected, counts.LabelsMoved,
            reports.Count(r => r.Action == "archived"), reports, null, dryRun);
    }

    async Task<SyncFileReport> ImportAsync(GitSource source, string commit, RepositoryFile file, bool dryRun, CancellationToken ct)
    {
        SyncFileReport Rejected(int? line, string error) => new(file.FilePath, file.PromptName, "rejected", null, [], [], line, error);

        if (file.Error is not null) return Rejected(null, file.Error);
        if (PromptRules.NameError(file.PromptName) is { } nameError) return Rejected(null, $"the prompt name '{file.PromptName}' (from the file's path) {nameError}");
        PromptFileContent content;
        try
        {
            content = PromptFile.Parse(file.Text);
        }
        catch (PromptFileException e)
        {
            return Rejected(e.Line, e.Message);
        }
        if (TemplateLanguage.ParseName(content.TemplateFormat) is null) return Rejected(null, $"templateFormat: must be one of {string.Join(", ", TemplateLanguage.FormatNames)}");
        var bad = content.Labels.Select(l => (l, PromptRules.LabelError(l, forMove: true))).FirstOrDefault(e => e.Item2 is not null);
        if (bad.Item2 is not null) return Rejected(null, $"labels: '{bad.l}' {bad.Item2}");

        var change = repositories.LastChange(source.ProjectId, commit, file.FilePath);
        var shortSha = change.Sha[..7];
        var commitMessage = $"{Truncate(change.Subject, VersionRequest.MaxCommitMessageLength - 10)} ({shortSha})";
        var author = Truncate(string.IsNullOrWhiteSpace(change.Author) ? "git" : change.Author, 100);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var registry = scope.ServiceProvider.GetRequiredService<IPromptRegistry>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var request = new VersionRequest(content.Template, content.Messages, content.Config, commitMessage, [], content.TemplateFormat);
            UploadedVersion upload;
            try
            {
                upload = await registry.UploadAsync(source.ProjectId, file.PromptName, request, author, ct);
            }
            catch (ProblemException missing) when (missing.Status == 404)
            {
                var (name, type, description, tags) = NewPrompt.Validate(file.PromptName, content.Type, content.Description, content.Tags);
                await registry.CreateAsync(source.ProjectId, name, type, description, tags, ct);
                upload = await registry.UploadAsync(source.ProjectId, file.PromptName, request, author, ct);
            }
            if (EnumText.Lower(upload.Prompt.Type) != content.Type)
            {
                throw new PromptFileException(1, $"type: the prompt '{file.PromptName}' is a {EnumText.Lower(upload.Prompt.Type)} prompt; its type cannot change");
            }
            var moved = new List<string>();
            foreach (var label in content.Labels.Where(source.Labels.Contains))
            {
                var activation = await registry.ActivateAsync(source.ProjectId, file.PromptName, label, upload.Version, commitMessage, $"git:{shortSha}", ct);
                if (activation.Moved) moved.Add(label);
            }
            if (dryRun)
            {
                await transaction.RollbackAsync(ct);
            }
            else
            {
                var record = await db.GitFiles.FindAsync([source.ProjectId, file.FilePath], ct);
                if (record is null) db.GitFiles.Add(record = GitFile.Create(source.ProjectId, file.FilePath));
                record.Imported(file.BlobSha, file.PromptName, upload.Version, change.Sha, time.GetUtcNow());
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            return new SyncFileReport(file.FilePath, file.PromptName, upload.Created ? "created" : "unchanged", upload.Version, [.. moved],
                [.. content.Labels.Where(l => !source.Labels.Contains(l))], null, null);
        }
        catch (PromptFileException e)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return Rejected(e.Line, e.Message);
        }
        catch (ProblemException e) when (e.Status is >= 400 and < 500)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return Rejected(LineOf(e, content), Describe(e));
        }
    }

    async Task<SyncFileReport> ArchiveAsync(GitSource source, GitFile gone, bool dryRun, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var registry = scope.ServiceProvider.GetRequiredService<IPromptRegistry>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await registry.ArchiveAsync(source.ProjectId, gone.PromptName, ct);
        }
        catch (ProblemException e) when (e.Status == 409)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return new SyncFileReport(gone.FilePath, gone.PromptName, "rejected", null, [], [], null, $"the file was deleted but the prompt stays: {e.Message}");
        }
        catch (ProblemException e) when (e.Status == 404)
        {
            // Archived by hand already: only the record goes.
        }
        if (dryRun)
        {
            await transaction.RollbackAsync(ct);
        }
        else
        {
            await db.GitFiles.Where(f => f.ProjectId == source.ProjectId && f.FilePath == gone.FilePath).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }
        return new SyncFileReport(gone.FilePath, gone.PromptName, "archived", null, [], [], null, null);
    }

    /// <summary>The fetch log entry always; the source's state only for a real sync (a preview changes nothing else).</summary>
    async Task RecordAsync(Guid projectId, Action<GitSource> update, bool dryRun, GitFetch entry, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var source = await db.GitSources.SingleOrDefaultAsync(s => s.ProjectId == projectId, ct);
        if (source is null) return;
        if (!dryRun) update(source);
        db.GitFetches.Add(entry);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The line in the file of a template error (the upload reports it within the template or message).</summary>
    static int? LineOf(ProblemException e, PromptFileContent content)
    {
        if (e.Extensions.GetValueOrDefault("line") is not int line) return null;
        var field = e.Extensions.GetValueOrDefault("field") as string ?? "";
        if (field == "template") return content.BodyLine + line - 1;
        if (field.StartsWith("messages[", StringComparison.Ordinal) && int.TryParse(field.AsSpan(9, field.IndexOf(']') - 9), out var index)
            && index < content.MessageLines.Length)
        {
            return content.MessageLines[index] + line - 1;
        }
        return null;
    }

    static string Describe(ProblemException e) =>
        e.Errors is { Count: > 0 } errors ? string.Join("; ", errors.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}")) : e.Message;

    static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

}

using Microsoft.EntityFrameworkCore;
using Npgsql;
using PromptHub.Modules.Experiments;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

public sealed record UploadResult(Prompt Prompt, PromptVersion Version, bool Created);
public sealed record LabelChange(Prompt Prompt, Label Label, int? PreviousVersion, LabelMove? Move);

/// <summary>
/// The registry's writes. Each runs in one transaction that first locks the prompt's row, so that
/// concurrent uploads get versions 1, 2, 3… with no gap and concurrent label moves form one unbroken
/// chain; unique keys in the database back both up.
/// </summary>
sealed class PromptRegistry(PromptHubDb db, TimeProvider time, ChangeFeed changes, IEnumerable<IPromptEvents> events, IRunningExperiments experiments) : IPromptRegistry
{
    /// <summary>On while <see cref="ExamplePrompts"/> writes a new project's examples: their events say so (never announced).</summary>
    internal bool WritingExamples { get; set; }

    public async Task<Prompt> CreateAsync(Guid projectId, string name, PromptType type, string? description, string[] tags, CancellationToken ct)
    {
        var prompt = Prompt.Create(projectId, name, type, description, tags, time.GetUtcNow());
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        db.Prompts.Add(prompt);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.Entry(prompt).State = EntityState.Detached;
            throw ProblemException.Conflict($"A prompt named '{name}' already exists in this project.");
        }
        await CommitAsync(transaction, prompt, ct);
        return prompt;
    }

    /// <summary>
    /// Adds the next version, or returns the latest one unchanged when the content is identical to it.
    /// The request's labels are moved to the resulting version in the same transaction. With
    /// <paramref name="omittedConfigKeepsPrevious"/> (the REST upload), a request without `config` keeps the
    /// latest version's; otherwise (a Git file, Langfuse's API, which state the whole version) it means `{}`.
    /// </summary>
    public async Task<UploadResult> UploadAsync(Guid projectId, string name, VersionRequest request, string author, CancellationToken ct,
        bool omittedConfigKeepsPrevious = false)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        var prompt = await LockAsync(projectId, name, ct);
        var latest = prompt.LatestVersion == 0
            ? null
            : await db.PromptVersions.SingleAsync(v => v.PromptId == prompt.Id && v.Version == prompt.LatestVersion, ct);
        if (omittedConfigKeepsPrevious && request.Config is null && latest is not null)
        {
            request = request with { Config = System.Text.Json.Nodes.JsonNode.Parse(latest.Config) };
        }
        var (content, commitMessage, labels) = request.Validate(prompt.Type);
        await IncludeCheck.VerifyAsync(db, prompt, content, ct);
        var now = time.GetUtcNow();

        var created = latest is null || latest.ContentHash != content.ContentHash;
        var version = created ? prompt.AddVersion(content, latest?.Content(), commitMessage, author, now) : latest!;
        if (created)
        {
            db.PromptVersions.Add(version);
            await db.SaveChangesAsync(ct); // the version row first: labels reference it
            var announced = new VersionCreated(prompt.Info(), version.Version, version.Type, version.Template, content.Messages, version.ChangeType,
                version.CommitMessage, version.Author, version.CreatedAt, WritingExamples);
            foreach (var handler in events) await handler.VersionCreatedAsync(db, announced, ct);
        }
        foreach (var label in labels)
        {
            await MoveAsync(prompt, label, version.Version, LabelAction.Activate, commitMessage, author, now, ct);
        }
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, prompt, ct);
        return new UploadResult(prompt, version, created);
    }

    /// <summary>Points <paramref name="label"/> at <paramref name="version"/> (activation, when it is `production`).</summary>
    public async Task<LabelChange> ActivateAsync(Guid projectId, string name, string label, int version, string? reason, string actor, CancellationToken ct)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        var prompt = await LockAsync(projectId, name, ct);
        if (version > prompt.LatestVersion)
        {
            throw ProblemException.NotFound($"Prompt '{name}' has no version {version} (latest is {prompt.LatestVersion}).");
        }
        var change = await MoveAsync(prompt, label, version, LabelAction.Activate, reason, actor, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, prompt, ct);
        return change;
    }

    /// <summary>Moves <paramref name="label"/> back to the target it had before its newest activation.</summary>
    public async Task<LabelChange> RollbackAsync(Guid projectId, string name, string label, string? reason, string actor, CancellationToken ct)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        var prompt = await LockAsync(projectId, name, ct);
        if (!await db.Labels.AnyAsync(l => l.PromptId == prompt.Id && l.Name == label, ct))
        {
            throw ProblemException.NotFound($"Prompt '{name}' has no label '{label}'.");
        }
        var moves = db.LabelMoves.Where(m => m.PromptId == prompt.Id && m.Label == label).OrderByDescending(m => m.Id).AsAsyncEnumerable();
        var target = LabelMove.RollbackTarget(await moves.ToListAsync(ct))
            ?? throw ProblemException.Conflict($"Label '{label}' of prompt '{name}' has no previous target to roll back to.");
        var change = await MoveAsync(prompt, label, target, LabelAction.Rollback, reason, actor, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, prompt, ct);
        return change;
    }

    /// <summary>
    /// Soft delete: the prompt disappears from every read and frees its name; rows are kept. Refused while
    /// an experiment or rollout runs on it (starting one locks the prompt's row too, so the two never cross).
    /// </summary>
    public async Task ArchiveAsync(Guid projectId, string name, CancellationToken ct)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        var prompt = await LockAsync(projectId, name, ct);
        if (await experiments.RunningOnAsync(db, prompt.Id, ct) is { } running)
        {
            throw ProblemException.Conflict($"Prompt '{name}' has a running experiment '{running}': stop it (POST /api/v1/experiments/{running}/stop) before archiving.");
        }
        prompt.Archive(time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, prompt, ct);
    }

    /// <summary>
    /// A label step taken by an experiment or rollout (the Experiments module), in its transaction:
    /// <see cref="LabelAction.Promote"/> and <see cref="LabelAction.Complete"/> move the label like an activation
    /// (history, events, change feed); <see cref="LabelAction.Rollout"/> and <see cref="LabelAction.Abort"/> only
    /// record the share of subjects that <paramref name="version"/> gets, as the label stays where it is.
    /// </summary>
    /// <returns>The recorded row, or null when a move found the label already there.</returns>
    public async Task<LabelMove?> ExperimentStepAsync(Guid projectId, Guid promptId, string label, LabelAction action, int version, int? percent,
        string experiment, string? reason, string actor, CancellationToken ct)
    {
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        var prompt = await LockAsync(projectId, promptId, ct) ?? throw ProblemException.Conflict("The experiment's prompt has been archived.");
        var now = time.GetUtcNow();
        if (action is LabelAction.Promote or LabelAction.Complete)
        {
            var change = await MoveAsync(prompt, label, version, action, reason, actor, now, ct, experiment);
            await db.SaveChangesAsync(ct);
            await CommitAsync(transaction, prompt, ct);
            return change.Move;
        }
        var current = await db.Labels.SingleAsync(l => l.PromptId == prompt.Id && l.Name == label, ct);
        var step = LabelMove.Record(current, current.Version, version, action, reason, actor, now, percent, experiment);
        db.LabelMoves.Add(step);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return step;
    }

    /// <summary>The version a label points at now, or null when the prompt has no such label.</summary>
    public async Task<int?> TargetAsync(Guid promptId, string label, CancellationToken ct) =>
        await db.Labels.Where(l => l.PromptId == promptId && l.Name == label).Select(l => (int?)l.Version).SingleOrDefaultAsync(ct);

    /// <summary>Commits, telling every instance that what resolve answers for this prompt may have changed.</summary>
    Task CommitAsync(Transactions.OwnedTransaction transaction, Prompt prompt, CancellationToken ct) =>
        changes.CommitAsync(db, transaction.CommitAsync, PromptChanges.Topic, PromptChanges.Key(prompt.ProjectId, prompt.Name), ct);

    async Task<LabelChange> MoveAsync(Prompt prompt, string name, int version, LabelAction action, string? reason, string actor, DateTimeOffset now,
        CancellationToken ct, string? experiment = null)
    {
        var label = await db.Labels.SingleOrDefaultAsync(l => l.PromptId == prompt.Id && l.Name == name, ct);
        LabelChange change;
        if (label is null)
        {
            (label, var first) = Label.Create(prompt, name, version, reason, actor, now);
            db.Labels.Add(label);
            db.LabelMoves.Add(first);
            change = new LabelChange(prompt, label, null, first);
        }
        else
        {
            var previous = label.Version;
            var move = label.MoveTo(version, action, reason, actor, now, experiment);
            if (move is not null) db.LabelMoves.Add(move);
            change = new LabelChange(prompt, label, previous, move);
        }
        if (change.Move is not null && events.Any())
        {
            await db.SaveChangesAsync(ct); // the move gets its id
            var move = change.Move;
            var moved = new LabelMoved(prompt.Info(), move.Id, move.Label, move.FromVersion, move.ToVersion, move.Action, move.Reason, move.Actor, move.CreatedAt, WritingExamples);
            foreach (var handler in events) await handler.LabelMovedAsync(db, moved, ct);
        }
        return change;
    }

    /// <summary>The live prompt, its row locked until the transaction ends; 404 when there is none.</summary>
    async Task<Prompt> LockAsync(Guid projectId, string name, CancellationToken ct) =>
        await db.Prompts
            .FromSql($"SELECT * FROM prompts.prompts WHERE project_id = {projectId} AND name = {name} AND archived_at IS NULL FOR UPDATE")
            .SingleOrDefaultAsync(ct)
        ?? throw ProblemException.NotFound($"There is no prompt named '{name}'.");

    /// <summary>
    /// The live prompt by id, locked, or null when it is archived: for writes of other modules that must hold
    /// the prompt first (experiments take this lock before their own rows, always in that order, so that
    /// concurrent writes queue rather than deadlock).
    /// </summary>
    public Task<Prompt?> LockAsync(Guid projectId, Guid promptId, CancellationToken ct) =>
        db.Prompts
            .FromSql($"SELECT * FROM prompts.prompts WHERE project_id = {projectId} AND id = {promptId} AND archived_at IS NULL FOR UPDATE")
            .SingleOrDefaultAsync(ct);

    // The same writes as other modules see them: records, never entities.
    async Task<PromptInfo> IPromptRegistry.CreateAsync(Guid projectId, string name, PromptType type, string? description, string[] tags, CancellationToken ct) =>
        (await CreateAsync(projectId, name, type, description, tags, ct)).Info();

    async Task<UploadedVersion> IPromptRegistry.UploadAsync(Guid projectId, string name, VersionRequest request, string author, CancellationToken ct)
    {
        var result = await UploadAsync(projectId, name, request, author, ct);
        return new UploadedVersion(result.Prompt.Info(), result.Version.Version, result.Created);
    }

    async Task<LabelActivated> IPromptRegistry.ActivateAsync(Guid projectId, string name, string label, int version, string? reason, string actor, CancellationToken ct)
    {
        var change = await ActivateAsync(projectId, name, label, version, reason, actor, ct);
        return new LabelActivated(change.Prompt.Info(), change.Label.Name, change.Label.Version, change.PreviousVersion, change.Move is not null);
    }

    async Task<PromptInfo?> IPromptRegistry.LockAsync(Guid projectId, Guid promptId, CancellationToken ct) =>
        (await LockAsync(projectId, promptId, ct))?.Info();

    async Task IPromptRegistry.ExperimentStepAsync(Guid projectId, Guid promptId, string label, LabelAction action, int version, int? percent,
        string experiment, string? reason, string actor, CancellationToken ct) =>
        await ExperimentStepAsync(projectId, promptId, label, action, version, percent, experiment, reason, actor, ct);
}

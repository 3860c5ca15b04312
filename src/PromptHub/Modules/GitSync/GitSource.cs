namespace PromptHub.Modules.GitSync;

/// <summary>How the last sync of a source ended.</summary>
public enum SyncResult
{
    /// <summary>Every prompt file imported (or already there).</summary>
    Succeeded,
    /// <summary>Fetched; some files were rejected, the others imported.</summary>
    Partial,
    /// <summary>Not fetched or over a limit: nothing changed.</summary>
    Failed,
}

/// <summary>
/// A project's link to a Git repository (at most one per project) and the state of its syncs. The token and
/// the webhook secret are kept only as Data Protection payloads; nothing here ever holds them in clear.
/// </summary>
public sealed class GitSource
{
    public const int MaxUrlLength = 2000;
    public const int MaxBranchLength = 200;
    public const int MaxPathLength = 500;

    public Guid ProjectId { get; private set; }
    public string Url { get; private set; } = "";
    public string Branch { get; private set; } = "main";
    /// <summary>The folder of the repository whose `*.prompt` files are read; empty for the root.</summary>
    public string Path { get; private set; } = "";
    public string? Username { get; private set; }
    public string? ProtectedToken { get; private set; }
    public string ProtectedWebhookSecret { get; private set; } = "";
    /// <summary>The labels a sync may move when a file's front matter names them.</summary>
    public string[] Labels { get; private set; } = ["staging"];
    /// <summary>Whether a deleted file archives its prompt (off: deleting a file changes nothing).</summary>
    public bool ArchiveDeleted { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public string UpdatedBy { get; private set; } = "";

    public DateTimeOffset? LastAttemptAt { get; private set; }
    public DateTimeOffset? LastSuccessAt { get; private set; }
    /// <summary>The commit the last successful fetch imported.</summary>
    public string? LastCommit { get; private set; }
    public SyncResult? LastResult { get; private set; }
    public string? LastError { get; private set; }
    /// <summary>Since when every attempt has failed (null while the source works).</summary>
    public DateTimeOffset? FailingSince { get; private set; }
    public int ConsecutiveFailures { get; private set; }
    /// <summary>When the recurring job fetches next (back-off while failing).</summary>
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public int LastCreated { get; private set; }
    public int LastUnchanged { get; private set; }
    public int LastRejected { get; private set; }
    public int LastLabelsMoved { get; private set; }
    /// <summary>The files the last sync rejected, as JSON `[{path, line, message}]`.</summary>
    public string FileErrors { get; private set; } = "[]";

    public static GitSource Create(Guid projectId, DateTimeOffset now) => new() { ProjectId = projectId, CreatedAt = now };

    /// <summary>Sets where to fetch from; a changed URL, branch or path starts the sync state over (the clone is made anew).</summary>
    public bool Configure(string url, string branch, string path, string? username, string[] labels, bool archiveDeleted, string actor, DateTimeOffset now)
    {
        var moved = Url != url || Branch != branch || Path != path;
        (Url, Branch, Path, Username, Labels, ArchiveDeleted, UpdatedAt, UpdatedBy) = (url, branch, path, username, labels, archiveDeleted, now, actor);
        if (moved)
        {
            (LastCommit, LastResult, LastError, FailingSince, ConsecutiveFailures, NextAttemptAt) = (null, null, null, null, 0, null);
        }
        return moved;
    }

    public void SetToken(string? protectedToken) => ProtectedToken = protectedToken;

    public void SetWebhookSecret(string protectedSecret) => ProtectedWebhookSecret = protectedSecret;

    public void Succeeded(string commit, SyncCounts counts, string fileErrors, DateTimeOffset now, TimeSpan interval)
    {
        (LastAttemptAt, LastSuccessAt, LastCommit, LastError, FailingSince, ConsecutiveFailures, NextAttemptAt) = (now, now, commit, null, null, 0, now + interval);
        LastResult = counts.Rejected == 0 ? SyncResult.Succeeded : SyncResult.Partial;
        (LastCreated, LastUnchanged, LastRejected, LastLabelsMoved, FileErrors) = (counts.Created, counts.Unchanged, counts.Rejected, counts.LabelsMoved, fileErrors);
    }

    /// <summary>Records a failed attempt; what was imported stays, and the next try waits twice as long each time.</summary>
    public void Failed(string error, DateTimeOffset now, TimeSpan interval, TimeSpan maxBackoff)
    {
        ConsecutiveFailures++;
        FailingSince ??= now;
        (LastAttemptAt, LastResult, LastError) = (now, SyncResult.Failed, error);
        var wait = interval * Math.Pow(2, Math.Min(ConsecutiveFailures - 1, 20));
        NextAttemptAt = now + (wait > maxBackoff ? maxBackoff : wait);
    }
}

public sealed record SyncCounts(int Created, int Unchanged, int Rejected, int LabelsMoved);

/// <summary>
/// A prompt file as last imported: its blob, so that a file unchanged since is skipped (a sync of the same
/// commit imports nothing), and written in the same transaction as its version (a crash leaves both or neither).
/// </summary>
public sealed class GitFile
{
    public Guid ProjectId { get; private set; }
    public string FilePath { get; private set; } = "";
    public string BlobSha { get; private set; } = "";
    public string PromptName { get; private set; } = "";
    public int Version { get; private set; }
    public string CommitSha { get; private set; } = "";
    public DateTimeOffset ImportedAt { get; private set; }

    public static GitFile Create(Guid projectId, string filePath) => new() { ProjectId = projectId, FilePath = filePath };

    public void Imported(string blobSha, string promptName, int version, string commitSha, DateTimeOffset now) =>
        (BlobSha, PromptName, Version, CommitSha, ImportedAt) = (blobSha, promptName, version, commitSha, now);
}

/// <summary>What started a fetch.</summary>
public enum FetchTrigger { Manual, Schedule, Webhook, Preview }

/// <summary>One fetch of a source, kept for PromptHub:GitSync:LogRetentionDays. The error never holds a secret.</summary>
public sealed class GitFetch
{
    public long Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public int DurationMs { get; private set; }
    public FetchTrigger Trigger { get; private set; }
    public string? Commit { get; private set; }
    public SyncResult Result { get; private set; }
    public string? Error { get; private set; }
    public int Created { get; private set; }
    public int Unchanged { get; private set; }
    public int Rejected { get; private set; }

    public static GitFetch Record(Guid projectId, DateTimeOffset startedAt, TimeSpan duration, FetchTrigger trigger, string? commit, SyncResult result,
        string? error, SyncCounts? counts) =>
        new()
        {
            ProjectId = projectId, StartedAt = startedAt, DurationMs = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds), Trigger = trigger,
            Commit = commit, Result = result, Error = error, Created = counts?.Created ?? 0, Unchanged = counts?.Unchanged ?? 0, Rejected = counts?.Rejected ?? 0,
        };
}

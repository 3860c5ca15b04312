namespace PromptHub.Modules.GitSync;

// What other modules may use of the GitSync module: this file, nothing else. Git sync only calls others
// (the Prompts module's upload path); nothing calls into it but HTTP and its jobs.

public static class GitSyncContract
{
    /// <summary>The recurring job's id, as ops see it in `/api/v1/ops/jobs` and the dashboard.</summary>
    public const string SyncJobId = "git-sync";
}

namespace PromptHub.Modules.GitSync;

/// <summary>`PromptHub:GitSync`, checked at start-up.</summary>
public sealed class GitSyncOptions
{
    /// <summary>How often each connected repository is fetched by the recurring job (which itself looks every minute).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>While a repository fails, the wait doubles from <see cref="Interval"/> up to this.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Where the bare clones live (one per project); empty: `.prompthub/git` next to the embedded database.</summary>
    public string? DataFolder { get; set; }
    /// <summary>Most `*.prompt` files under a source's path.</summary>
    public int MaxFiles { get; set; } = 1000;
    /// <summary>Largest `*.prompt` file.</summary>
    public int MaxFileBytes { get; set; } = 256 * 1024;
    /// <summary>Most bytes a fetch may bring in, and the largest a clone may grow on disk.</summary>
    public long MaxRepositoryBytes { get; set; } = 100L * 1024 * 1024;
    /// <summary>Fetch log entries older than this are removed by the recurring job.</summary>
    public int LogRetentionDays { get; set; } = 30;

    public IEnumerable<string> Problems()
    {
        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromDays(1)) yield return "PromptHub:GitSync:Interval must be between 00:00:01 and 1.00:00:00";
        if (MaxBackoff < Interval) yield return "PromptHub:GitSync:MaxBackoff must be at least PromptHub:GitSync:Interval";
        if (MaxFiles is < 1 or > 100_000) yield return "PromptHub:GitSync:MaxFiles must be between 1 and 100000";
        if (MaxFileBytes is < 1 or > 10 * 1024 * 1024) yield return "PromptHub:GitSync:MaxFileBytes must be between 1 and 10485760";
        if (MaxRepositoryBytes < 1024) yield return "PromptHub:GitSync:MaxRepositoryBytes must be at least 1024";
        if (LogRetentionDays is < 1 or > 3650) yield return "PromptHub:GitSync:LogRetentionDays must be between 1 and 3650";
    }
}

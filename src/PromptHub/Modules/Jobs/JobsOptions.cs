using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PromptHub.Modules.Jobs;

/// <summary>`PromptHub:Jobs`: the Hangfire server of this instance, and how failed runs are retried.</summary>
public sealed class JobsOptions
{
    /// <summary>Jobs this instance runs at once.</summary>
    public int Workers { get; set; } = 4;
    /// <summary>Retries of a failed run before it is Failed (visible, retryable by hand).</summary>
    public int Retries { get; set; } = 5;
    /// <summary>Wait before the first retry; it doubles with each one (10 s, 20 s, 40 s…), at most an hour.</summary>
    public int RetryDelaySeconds { get; set; } = 10;
    /// <summary>
    /// PostgreSQL LISTEN/NOTIFY wakes a worker on any instance the moment a job is enqueued (one idle
    /// connection per worker). Off, other instances notice a job only at their next poll (15 s): only to measure the difference.
    /// </summary>
    public bool LongPolling { get; set; } = true;
    /// <summary>When `ops` keys may act in the dashboard and the API (trigger, requeue, delete, pause); by default only `admin` keys do.</summary>
    public bool OpsMayAct { get; set; }

    public int[] RetryDelays() =>
        [.. Enumerable.Range(0, Retries).Select(attempt => (int)Math.Min(3600, (long)RetryDelaySeconds << Math.Min(attempt, 20)))];
}

/// <summary>Checks the numbers, and that every declared job's cron setting is a five-field cron or `-`.</summary>
sealed class JobsOptionsValidation(JobCatalog catalog, IConfiguration configuration) : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var problems = new List<string>();
        if (options.Workers is < 1 or > 100) problems.Add("PromptHub:Jobs:Workers must be between 1 and 100");
        if (options.Retries is < 0 or > 20) problems.Add("PromptHub:Jobs:Retries must be between 0 and 20");
        if (options.RetryDelaySeconds is < 1 or > 3600) problems.Add("PromptHub:Jobs:RetryDelaySeconds must be between 1 and 3600");
        foreach (var job in catalog.Recurring)
        {
            if (CronSchedule.Problem(job.CronOf(configuration)) is { } problem) problems.Add($"{job.CronSetting} {problem}");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

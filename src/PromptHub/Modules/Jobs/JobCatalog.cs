using Hangfire.Common;
using Microsoft.Extensions.Configuration;

namespace PromptHub.Modules.Jobs;

/// <summary>A job a module declared: its id (the recurring job's id, and the name its runs are listed under) and what it does.</summary>
public sealed record JobDeclaration(string Id, string Description, Type JobType, Job? Recurring, string? CronSetting, string? DefaultCron)
{
    /// <summary>The cron in force: the setting, else the default.</summary>
    public string CronOf(IConfiguration configuration) =>
        configuration[CronSetting!] is { Length: > 0 } configured ? configured.Trim() : DefaultCron!;
}

/// <summary>Every job the modules declared, in order.</summary>
public sealed class JobCatalog : IJobCatalog
{
    readonly List<JobDeclaration> _jobs = [];

    public IReadOnlyList<JobDeclaration> All => _jobs;

    public IEnumerable<JobDeclaration> Recurring => _jobs.Where(j => j.Recurring is not null);

    internal void Add(JobDeclaration job)
    {
        if (_jobs.Any(j => j.Id == job.Id)) throw new InvalidOperationException($"The job '{job.Id}' is declared twice.");
        _jobs.Add(job);
    }

    public JobDeclaration? Find(string id) => _jobs.FirstOrDefault(j => j.Id == id);

    /// <summary>False when the recurring job <paramref name="id"/> is switched off (its cron setting is `-`).</summary>
    public bool IsOn(string id, IConfiguration configuration) => Find(id)?.CronOf(configuration) is { } cron && cron != CronSchedule.Off;

    /// <summary>The name runs of a job class are listed under: the first declaration of that class.</summary>
    public string NameOf(Type jobType) => _jobs.FirstOrDefault(j => j.JobType == jobType)?.Id ?? jobType.Name;
}

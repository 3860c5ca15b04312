using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Quartz;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// The background-job machinery: Quartz 4 with its persistent, clustered store in the app's PostgreSQL
/// (tables `jobs.qrtz_*`, created by Quartz in the schema our migrations create), execution history,
/// and a small way for modules to declare jobs. With several instances, each firing runs on exactly one.
/// </summary>
public static class JobsModule
{
    const string DeclarationsKey = "PromptHub.Jobs.Declarations";
    /// <summary>Retries of a failed run: 5 more attempts, 10 s, 20 s, 40 s… up to 10 minutes apart.</summary>
    public static readonly RetryPolicy Retries = RetryPolicy.Exponential(maxAttempts: 5, initialDelay: TimeSpan.FromSeconds(10), factor: 2, maxDelay: TimeSpan.FromMinutes(10));

    /// <summary>
    /// A job that runs on a cron schedule in UTC, read from <paramref name="cronSetting"/> (default
    /// <paramref name="defaultCron"/>; `-` switches it off). A fire missed while every instance was down
    /// runs once when one comes back.
    /// </summary>
    public static void AddRecurringJob<TJob>(this IHostApplicationBuilder builder, string name, string description, string cronSetting, string defaultCron)
        where TJob : class, IJob =>
        Declarations(builder).Add(q =>
        {
            q.AddJob<TJob>(job => job.WithIdentity(name).WithDescription(description).StoreDurably());
            q.AddConfiguredTrigger<TJob>(cronSetting,
                (services, key) => services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[key],
                (_, cron, trigger) => trigger.ForJob(name).WithIdentity(name)
                    .WithCronSchedule(string.IsNullOrWhiteSpace(cron) ? defaultCron : cron, schedule => schedule
                        .InTimeZone(TimeZoneInfo.Utc)
                        .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                    .WithRetryPolicy(Retries));
        });

    /// <summary>A job run only when asked (<see cref="IJobQueue"/>), retried on failure.</summary>
    public static void AddOnDemandJob<TJob>(this IHostApplicationBuilder builder, string name, string description) where TJob : class, IJob =>
        Declarations(builder).Add(q => q.AddJob<TJob>(job => job.WithIdentity(name).WithDescription(description).StoreDurably()));

    /// <summary>Call after the modules that declare jobs: the scheduler is configured with all of them.</summary>
    public static void AddJobsModule(this IHostApplicationBuilder builder)
    {
        var declarations = Declarations(builder);
        // Quartz takes its connections from the app's own data source (embedded or configured).
        builder.Services.AddSingleton<DbDataSource>(services => services.GetRequiredService<NpgsqlDataSource>());
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(scheduler => scheduler.InstanceName = "prompthub");
            q.UseDefaultThreadPool(2);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(source => source.UseRegisteredDataSource = true);
                store.UseClustering(cluster =>
                {
                    cluster.CheckinInterval = TimeSpan.FromSeconds(5);
                    cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(15);
                });
                store.ProvisionSchema();
                store.UseExecutionHistory();
                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(options => options.TablePrefix = "jobs.qrtz_");
            });
            foreach (var declare in declarations) declare(q);
        });
        // Instances starting at once re-store the declared triggers: without this, the one that stores
        // second can fire a slot the first already ran.
        builder.Services.Configure<QuartzOptions>(options => options.Scheduling.ScheduleTriggerRelativeToReplacedTrigger = true);
        builder.Services.AddQuartzExecutionHistory(history =>
        {
            history.Retention = TimeSpan.FromDays(14);
            history.RetentionByResult[JobRunResult.Failed] = TimeSpan.FromDays(60);
            history.MaxEntriesPerJob = 1000;
        });
        builder.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        builder.Services.AddSingleton<IJobQueue, QuartzJobQueue>();
    }

    static List<Action<IQuartzBuilder>> Declarations(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(DeclarationsKey, out var list))
        {
            builder.Properties[DeclarationsKey] = list = new List<Action<IQuartzBuilder>>();
        }
        return (List<Action<IQuartzBuilder>>)list;
    }

    /// <summary>True when a failure now will not be retried: the job should record it as final.</summary>
    public static bool IsLastAttempt(this IJobExecutionContext context) =>
        context.RetryPolicy is null || context.RetryAttempt >= context.RetryPolicy.MaxAttempts;
}

/// <summary>Fires a declared on-demand job now, through the store, so exactly one instance runs it.</summary>
sealed class QuartzJobQueue(ISchedulerFactory schedulers) : IJobQueue
{
    public async Task EnqueueAsync(string jobName, IReadOnlyDictionary<string, string> data, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var trigger = TriggerBuilder.Create()
            .ForJob(jobName)
            .WithIdentity($"{jobName}-{Guid.NewGuid():N}")
            .WithRetryPolicy(JobsModule.Retries)
            .StartNow();
        foreach (var (key, value) in data) trigger = trigger.UsingJobData(key, value);
        await scheduler.ScheduleJob(trigger.Build(), cancellationToken: ct);
    }
}

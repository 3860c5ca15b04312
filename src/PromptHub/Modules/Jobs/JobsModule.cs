using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// Background jobs on Hangfire, stored in the app's own PostgreSQL (schema `hangfire`, created by
/// Hangfire.PostgreSql at start), one Hangfire server per instance: with several instances, each
/// firing runs on exactly one. Modules declare their jobs in one line; ops watch and drive them in
/// Hangfire's dashboard at `/hangfire` and through `/api/v1/ops`.
/// </summary>
public static class JobsModule
{
    const string CatalogKey = "PromptHub.Jobs.Catalog";

    /// <summary>
    /// Hangfire's scheduler looks for due recurring and scheduled jobs this often: the floor of a
    /// cron's precision and of retry delays (Hangfire's default is 15 s).
    /// </summary>
    public static readonly TimeSpan SchedulePolling = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping instance waits for its jobs before the process ends anyway (they are re-queued).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Call after the modules that declare jobs.</summary>
    public static void AddJobsModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(Catalog(builder));
        services.AddSingleton<IJobCatalog>(sp => sp.GetRequiredService<JobCatalog>());
        services.AddOptions<JobsOptions>().BindConfiguration("PromptHub:Jobs").ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidation>();
        services.AddSingleton<JobPauses>();
        services.AddSingleton<JobRuns>();
        services.AddSingleton<IJobRuns>(sp => sp.GetRequiredService<JobRuns>());
        services.AddSingleton<RecurringJobs>();

        // This app's own storage, activator and filters, registered before AddHangfire (which would
        // otherwise take Hangfire's process-wide defaults, shared by every app in a test process).
        services.AddSingleton<HangfireConnections>();
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(sp.GetRequiredService<HangfireConnections>(),
            new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                // LISTEN/NOTIFY: an enqueued job starts within milliseconds on any instance, not at the next poll.
                // Read from configuration, not the validated options: the dashboard's mapping builds the
                // storage before the host starts, and a bad setting must fail at the start, in one line.
                EnableLongPolling = sp.GetRequiredService<IConfiguration>().GetValue("PromptHub:Jobs:LongPolling", true),
                // A crashed instance's running jobs come back after 5 minutes; the heartbeat keeps long ones invisible.
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                UseSlidingInvisibilityTimeout = true,
                EnableTransactionScopeEnlistment = false,
            })
        {
            JobExpirationTimeout = TimeSpan.FromDays(7),
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<IJobFilterProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var filters = new JobFilterCollection
            {
                new AutomaticRetryAttribute { Attempts = options.Retries, DelaysInSeconds = options.RetryDelays(), OnAttemptsExceeded = AttemptsExceededAction.Fail },
                new StatisticsHistoryAttribute(),
                new JobNames(sp.GetRequiredService<JobCatalog>()),
                new SkipPausedFirings(sp.GetRequiredService<JobPauses>()),
            };
            return new JobFilterProviderCollection(filters, new JobFilterAttributeFilterProvider());
        });
        services.AddHangfire((sp, configuration) =>
        {
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseLogProvider(HangfireLogs.Instance);
            var logs = sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();
            HangfireLogs.Attach(logs);
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => HangfireLogs.Detach(logs));
        });

        // Declared recurring jobs are written to the storage before this instance's server starts.
        services.AddHostedService<RecurringJobRegistration>();
        services.AddHostedService<HangfireServer>();
        // A hanging database must not hold a SIGTERM for the host's default 30 s: 5 s for the jobs to
        // end (then they are cancelled and re-queued), and at most 4 s for a Hangfire query in flight.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);

        builder.AddOps();
    }

    public static void MapJobsEndpoints(this IEndpointRouteBuilder api, IEndpointRouteBuilder app)
    {
        api.MapOpsApi();
        app.MapOpsDashboard();
    }

    internal static JobCatalog Catalog(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(CatalogKey, out var catalog)) builder.Properties[CatalogKey] = catalog = new JobCatalog();
        return (JobCatalog)catalog;
    }
}

/// <summary>
/// Hangfire's connections: to the app's database (embedded or configured), in a pool of their own whose
/// commands give up after a few seconds. Hangfire's queries are small; a stopping process waits for the
/// ones in flight, and with the database hanging each would otherwise hold the exit for Npgsql's 30 s.
/// </summary>
sealed class HangfireConnections : IConnectionFactory, IDisposable
{
    readonly NpgsqlDataSource _dataSource;

    public HangfireConnections(Platform.Database.PostgresServer server)
    {
        var builder = new NpgsqlDataSourceBuilder(server.ConnectionString);
        builder.ConnectionStringBuilder.CommandTimeout = 4;
        builder.ConnectionStringBuilder.CancellationTimeout = -1; // a timed-out command breaks its connection at once
        builder.ConnectionStringBuilder.ApplicationName = "PromptHub Hangfire";
        _dataSource = builder.Build();
    }

    public NpgsqlConnection GetOrCreateConnection() => _dataSource.CreateConnection();

    public void Dispose() => _dataSource.Dispose();
}

/// <summary>
/// Writes the declared recurring jobs (cron in UTC) to the storage, removes those switched off (`-`) or
/// no longer declared. Several instances starting at once do the same writes under Hangfire's lock.
/// </summary>
sealed class RecurringJobRegistration(IRecurringJobManager manager, JobStorage storage, JobCatalog catalog, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var active = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in catalog.Recurring)
        {
            var cron = job.CronOf(configuration);
            if (cron == CronSchedule.Off) continue;
            manager.AddOrUpdate(job.Id, job.Recurring!, cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            active.Add(job.Id);
        }
        using var connection = storage.GetConnection();
        foreach (var stored in connection.GetRecurringJobs().Where(j => !active.Contains(j.Id)))
        {
            manager.RemoveIfExists(stored.Id);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// This instance's Hangfire server. Hangfire's own hosted service lets its stop fail when jobs outlive
/// the shutdown timeout, which fails the host's stop (an unhandled exception at SIGTERM, and a host
/// left undisposed); here such jobs are handed back (Hangfire re-queues them) and the stop goes on.
/// </summary>
sealed class HangfireServer(JobStorage storage, JobActivator activator, IJobFilterProvider filters, IOptions<JobsOptions> options,
    IGlobalConfiguration configured, Microsoft.Extensions.Logging.ILogger<HangfireServer> log) : IHostedService, IDisposable
{
    BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = configured; // resolving it applies the serializer and logging settings before the server starts
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = options.Value.Workers,
            SchedulePollingInterval = JobsModule.SchedulePolling,
            ShutdownTimeout = JobsModule.ShutdownTimeout,
            Activator = activator,
            FilterProvider = filters,
        }, storage);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null) return;
        _server.SendStop();
        try
        {
            await _server.WaitForShutdownAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(log, "Jobs still running at shutdown were handed back, to run again");
        }
    }

    public void Dispose() => _server?.Dispose();
}

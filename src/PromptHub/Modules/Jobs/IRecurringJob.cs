namespace PromptHub.Modules.Jobs;

/// <summary>
/// A job a module declares with <see cref="JobsModule.AddRecurringJob{TJob}"/>. Hangfire builds it
/// from the app's services for each run and passes its shutdown token; the text returned is the
/// run's result, shown in the dashboard and in `GET /api/v1/ops/runs`. Throwing fails the run (retried).
/// </summary>
public interface IRecurringJob
{
    Task<string> RunAsync(CancellationToken cancellationToken);
}

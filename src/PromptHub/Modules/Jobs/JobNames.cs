using Hangfire.Client;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// Gives every job the name its runs are listed and filtered under (`job` in `GET /api/v1/ops/runs`):
/// the recurring job's id for its firings and triggers, the declared name of its class otherwise.
/// </summary>
sealed class JobNames(JobCatalog catalog) : Hangfire.Common.JobFilterAttribute, IClientFilter
{
    public const string Parameter = "Job";

    public void OnCreating(CreatingContext context)
    {
        var name = context.Parameters.TryGetValue("RecurringJobId", out var recurring) && recurring is string id ? id : catalog.NameOf(context.Job.Type);
        context.SetJobParameter(Parameter, name);
    }

    public void OnCreated(CreatedContext context)
    {
    }
}

using PromptHub.Platform.Http;

namespace PromptHub.Modules.Jobs;

sealed class JobsApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<PauseRequest>(["reason"],
            ("pause", "Pause with the reason ops will read", new PauseRequest("Restoring last night's backup")));
        docs.Policy(OpsPolicies.Read, "ops or admin, of the home project")
            .Policy(OpsPolicies.Act, "admin of the home project (ops too when PromptHub:Jobs:OpsMayAct is on)");
        docs.Parameter("id", "api/v1/ops/jobs", "The recurring job's id, as `GET /api/v1/ops/jobs` lists it.", "analytics-daily-aggregation")
            .Parameter("job", "api/v1/ops/runs", "Only runs of this job (its id).")
            .Parameter("state", "api/v1/ops/runs", $"Only runs in this state: {string.Join(", ", JobRuns.States)}.")
            .Parameter("from", "api/v1/ops/runs", "Runs created at or after this time (ISO 8601).")
            .Parameter("to", "api/v1/ops/runs", "Runs created before this time (ISO 8601).");
    }
}

using System.Text.Json;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Analytics;

/// <summary>Executions of `support/triage` version 1 a minute before the document was made, so that the analytics show them.</summary>
sealed class AnalyticsApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        var at = docs.Now.AddMinutes(-1);
        var id = $"exec-{at:yyyyMMdd-HHmmss}";
        var metadata = JsonSerializer.SerializeToElement(new { ticketId = "T-1042", channel = "email" });
        docs.Body<ExecutionBatch>(["executions"],
            ("batch", "Two executions (retrying the same batch counts them as duplicates)", new ExecutionBatch(
            [
                new ExecutionInput(id + "-1", "support/triage", 1, "production", null, null, "user-42", 812, 120, 3, 0.00021m, "gpt-4o-mini", true, 1,
                    null, at, null, "billing", metadata),
                new ExecutionInput(id + "-2", "support/triage", 1, "production", null, null, "user-7", 1630, 131, 3, 0.00023m, "gpt-4o-mini", false, null,
                    "timeout after 1.5 s", at.AddSeconds(5), null, null, null),
            ])));
        docs.Body<ExecutionInput>(["id", "prompt", "version", "occurredAt"]);
        docs.Body<OutcomeInput>([],
            ("outcome", "Late feedback: the ticket was sorted right", new OutcomeInput(null, true, 1, 24.5)));
        docs.Body<OutcomeBatch>(["outcomes"],
            ("batch", "Feedback for several executions", new OutcomeBatch([new OutcomeInput(id + "-1", true, 1, 24.5), new OutcomeInput(id + "-2", false, 0, null)])));
        var today = DateOnly.FromDateTime(docs.Now.UtcDateTime);
        docs.Body<BackfillRequest>(["from", "to"],
            ("week", "Roll up the last seven days again", new BackfillRequest(today.AddDays(-6), today)));

        docs.Parameter("id", "api/v1/executions", "The execution's id, as reported.", id + "-1")
            .Parameter("id", "api/v1/analytics/backfill", "The backfill's id, from the answer that requested it.")
            .Parameter("name", "api/v1/analytics/prompts", "The prompt's name (slashes typed plainly).", "support/triage")
            .Parameter("from", "api/v1/analytics", "First UTC day (YYYY-MM-DD), included; default six days before `to`.")
            .Parameter("to", "api/v1/analytics", "Last UTC day (YYYY-MM-DD), included; default today.")
            .Parameter("granularity", "api/v1/analytics", "`day`, the only one so far.");
    }
}

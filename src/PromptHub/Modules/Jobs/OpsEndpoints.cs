using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using PromptHub.Modules.Access;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Jobs;

public sealed record PauseRequest(string? Reason);

/// <summary>`/api/v1/ops`: what the dashboard shows and does, as JSON for scripts (installation-wide, home project's keys).</summary>
static class OpsEndpoints
{
    public static void MapOpsApi(this IEndpointRouteBuilder api)
    {
        var ops = api.MapGroup("/ops").WithTags("Ops").RequireAuthorization(OpsPolicies.Read);
        ops.MapGet("/jobs", async (RecurringJobs jobs, CancellationToken ct) => TypedResults.Ok(await jobs.ListAsync(ct))).WithName("ListRecurringJobs").WithSummary("Recurring jobs with their schedule, last and next run");
        ops.MapPost("/jobs/{id}/trigger", Trigger).WithName("TriggerJob").WithSummary("Run a recurring job now").RequireAuthorization(OpsPolicies.Act).ProducesProblem(StatusCodes.Status404NotFound);
        ops.MapPost("/jobs/{id}/pause", Pause).WithName("PauseJob").WithSummary("Pause a recurring job, with a reason").RequireAuthorization(OpsPolicies.Act).ProducesProblem(StatusCodes.Status404NotFound)
            .WithDescription("It stays paused (no firing) until resumed; the reason and who paused it are shown to ops.");
        ops.MapPost("/jobs/{id}/resume", Resume).WithName("ResumeJob").WithSummary("Resume a paused job").RequireAuthorization(OpsPolicies.Act)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("409: the job is not paused.");
        ops.MapGet("/runs", Runs).WithName("ListRuns").WithSummary("Runs of the jobs, newest first");
    }

    static async Task<Accepted<TriggeredJob>> Trigger(string id, RecurringJobs jobs, CancellationToken ct)
    {
        var triggered = await jobs.TriggerAsync(id, ct);
        return TypedResults.Accepted($"/api/v1/ops/runs?job={Uri.EscapeDataString(id)}", triggered);
    }

    static async Task<Ok<RecurringJobView>> Pause(string id, PauseRequest? request, HttpContext http, RecurringJobs jobs, CancellationToken ct) =>
        TypedResults.Ok(await jobs.PauseAsync(id, request?.Reason, http.Caller().KeyName, ct));

    static async Task<Ok<RecurringJobView>> Resume(string id, HttpContext http, RecurringJobs jobs, CancellationToken ct) =>
        TypedResults.Ok(await jobs.ResumeAsync(id, http.Caller().KeyName, ct));

    /// <summary>`?job=&amp;state=&amp;from=&amp;to=` (ISO 8601 times, `from` included, `to` not) and paging, newest first.</summary>
    static async Task<Ok<Paged<JobRun>>> Runs(string? job, string? state, string? from, string? to, PageRequest paging, JobRuns runs, CancellationToken ct)
    {
        var validation = new Validation();
        DateTimeOffset? Time(string? value, string field)
        {
            if (value is null) return null;
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
            validation.Add(field, "must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z");
            return null;
        }
        var (first, last) = (Time(from, "from"), Time(to, "to"));
        validation
            .Check(state is null || JobRuns.States.Contains(state), "state", $"must be one of {string.Join(", ", JobRuns.States)}")
            .Check(job is null || job.Length is > 0 and <= 100, "job", "must be 1 to 100 characters")
            .Check(first is null || last is null || first < last, "to", "must be after from")
            .ThrowIfInvalid();
        return TypedResults.Ok(await runs.ListAsync(new RunFilter(job, state, first, last), paging, ct));
    }
}

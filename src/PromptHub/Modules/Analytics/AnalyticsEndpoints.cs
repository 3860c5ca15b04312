using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Modules.Serving;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Analytics;

public sealed record BackfillRequest(DateOnly? From, DateOnly? To);
/// <summary>A backfill: its days and progress, and the state of the Hangfire job that runs it (`jobId`).</summary>
public sealed record BackfillView(Guid Id, string? JobId, DateOnly From, DateOnly To, string State, int DaysDone, int Days, int Attempt, string? Error,
    DateTimeOffset RequestedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>Executions and outcomes in, per-version numbers out.</summary>
static class AnalyticsEndpoints
{
    /// <summary>A batch of 1000 executions with their audit text can be far over the 1 MiB of other requests.</summary>
    public const long MaxBatchBytes = 16 * 1024 * 1024;
    const int MaxRangeDays = 366;

    public static void MapAnalyticsEndpoints(this IEndpointRouteBuilder api)
    {
        var reports = api.MapGroup("").WithTags("Executions").RequireAuthorization(AccessPolicies.Reader);
        reports.MapPost("/executions", Ingest).WithName("ReportExecutions").WithSummary("Report a batch of executions")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBatchBytes))
            .WithDescription("Up to 1000 uses of prompt versions, whole or not at all: every item is checked first (400 names the item and field). Idempotent on `id`: an id already stored counts as a duplicate and is not stored again. 202 `{accepted, duplicates}`.");
        reports.MapPost("/executions/{id}/outcome", Outcome).WithName("ReportOutcome").WithSummary("Report the late outcome of one execution").ProducesProblem(StatusCodes.Status404NotFound)
            .WithDescription("Feedback that arrives later (success, score, value). 404: no execution of that id in this project.");
        reports.MapPost("/outcomes", OutcomeBatch).WithName("ReportOutcomes").WithSummary("Report outcomes of several executions");

        var analytics = api.MapGroup("/analytics").WithTags("Analytics").RequireAuthorization(AccessPolicies.AnyRole); // ops watch volumes and error rates
        analytics.MapGet("/prompts/{name}", ForPrompt).WithName("PromptAnalytics").WithSummary("A prompt's daily series and totals per version").ProducesProblem(StatusCodes.Status404NotFound)
            .WithDescription("From the daily roll-up, with today's executions counted live.");
        analytics.MapGet("/overview", Overview).WithName("AnalyticsOverview").WithSummary("Top prompts, volumes and error rates");
        analytics.MapPost("/backfill", Backfill).WithName("Backfill").WithSummary("Roll up a range of days again").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("Queues a job that recomputes the daily statistics of each day (re-running a day gives the same rows); read its progress at the address answered.");
        analytics.MapGet("/backfill/{id}", BackfillState).WithName("BackfillState").WithSummary("Progress of a backfill").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    static async Task<Accepted<IngestResult>> Ingest(ExecutionBatch batch, HttpContext http, ExecutionIngest ingest, CancellationToken ct) =>
        TypedResults.Accepted((string?)null, await ingest.IngestAsync(http.Caller().ProjectId, batch, ct));

    static async Task<Ok<OutcomeView>> Outcome(string id, OutcomeInput outcome, HttpContext http, Outcomes outcomes, CancellationToken ct)
    {
        if (!Execution.IsValidId(id)) throw ProblemException.Invalid("id", "is not an execution id");
        return TypedResults.Ok(await outcomes.RecordAsync(http.Caller().ProjectId, id, outcome, ct));
    }

    static async Task<Ok<OutcomeBatchResult>> OutcomeBatch(OutcomeBatch batch, HttpContext http, Outcomes outcomes, CancellationToken ct) =>
        TypedResults.Ok(await outcomes.RecordAsync(http.Caller().ProjectId, batch, ct));

    static async Task<Ok<PromptAnalytics>> ForPrompt(string name, string? from, string? to, string? granularity,
        HttpContext http, IPromptCatalog catalog, AnalyticsQueries queries, TimeProvider time, CancellationToken ct)
    {
        var promptName = PromptRules.NameFromRoute(name);
        var (first, last) = Range(from, to, granularity, time);
        var projectId = http.Caller().ProjectId;
        var prompt = await catalog.FindAsync(projectId, promptName)
            ?? throw ProblemException.NotFound($"There is no prompt named '{promptName}'.");
        return TypedResults.Ok(await queries.ForPromptAsync(projectId, prompt.Id, prompt.Name, first, last, ct));
    }

    static async Task<Ok<AnalyticsOverview>> Overview(string? from, string? to, HttpContext http, AnalyticsQueries queries, TimeProvider time, CancellationToken ct)
    {
        var (first, last) = Range(from, to, null, time);
        return TypedResults.Ok(await queries.OverviewAsync(http.Caller().ProjectId, first, last, top: 20, ct));
    }

    static async Task<Accepted<BackfillView>> Backfill(BackfillRequest request, HttpContext http, Backfills backfills, TimeProvider time, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        new Validation()
            .Check(request.From is not null, "from", "is required (YYYY-MM-DD)")
            .Check(request.To is not null, "to", "is required (YYYY-MM-DD)")
            .Check(request.From is null || request.To is null || request.From <= request.To, "to", "must not be before from")
            .Check(request.To is null || request.To <= today, "to", "must not be in the future")
            .Check(request.From is null || request.To is null || request.To.Value.DayNumber - request.From.Value.DayNumber < MaxRangeDays, "from", $"a backfill covers at most {MaxRangeDays} days")
            .ThrowIfInvalid();
        var backfill = await backfills.RequestAsync(http.Caller().ProjectId, request.From!.Value, request.To!.Value, ct);
        return TypedResults.Accepted($"/api/v1/analytics/backfill/{backfill.Id}", backfill);
    }

    static async Task<Ok<BackfillView>> BackfillState(string id, HttpContext http, Backfills backfills, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var backfillId)) throw ProblemException.Invalid("id", "is not a backfill id");
        return TypedResults.Ok(await backfills.FindAsync(http.Caller().ProjectId, backfillId, ct)
            ?? throw ProblemException.NotFound($"There is no backfill '{backfillId}'."));
    }

    /// <summary>`from`/`to` as UTC days (YYYY-MM-DD), both included; by default the last 7 days.</summary>
    static (DateOnly From, DateOnly To) Range(string? from, string? to, string? granularity, TimeProvider time)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var validation = new Validation();
        var last = Day(to, "to", today, validation);
        var first = Day(from, "from", last.AddDays(-6), validation);
        validation.Check(granularity is null or "day", "granularity", "only 'day' is supported")
            .Check(first <= last, "to", "must not be before from")
            .Check(last.DayNumber - first.DayNumber < MaxRangeDays, "from", $"a range covers at most {MaxRangeDays} days")
            .ThrowIfInvalid();
        return (first, last);
    }

    static DateOnly Day(string? text, string field, DateOnly fallback, Validation validation)
    {
        if (text is null) return fallback;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)) return day;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            return DateOnly.FromDateTime(at.UtcDateTime);
        }
        validation.Add(field, "must be a date (YYYY-MM-DD) or an ISO 8601 time");
        return fallback;
    }
}

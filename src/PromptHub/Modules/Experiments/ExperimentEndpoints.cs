using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;
using PromptHub.Modules.Analytics;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Experiments;

/// <summary>Experiments over HTTP: define (draft), start, stop (optionally promoting the winner), list, show, results.</summary>
static class ExperimentEndpoints
{
    public static void MapExperimentRoutes(this IEndpointRouteBuilder api)
    {
        var experiments = api.MapGroup("/experiments").WithTags("Experiments").RequireAuthorization(AccessPolicies.Reader)
            .ProducesProblem(StatusCodes.Status404NotFound);
        experiments.MapPost("/", Create).WithName("CreateExperiment").WithSummary("Define an experiment (draft)").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Variants are versions of the prompt with whole-number weights that sum to 100; the first is the control. The label must exist (activate a version first). 409: an experiment with that key exists.");
        experiments.MapGet("/", List).WithName("ListExperiments").WithSummary("List experiments");
        experiments.MapGet("/{key}", Get).WithName("GetExperiment").WithSummary("Read an experiment");
        experiments.MapPost("/{key}/start", Start).WithName("StartExperiment").WithSummary("Start an experiment").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("From now on, resolve and render assign each subject of the label to a variant (always the same one). 409: not a draft, or another experiment or rollout already runs on that prompt and label.");
        experiments.MapPost("/{key}/stop", Stop).WithName("StopExperiment").WithSummary("Stop an experiment, optionally promoting a variant").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("With `promote`, the label moves to that variant's version (recorded in its history). 409: the experiment is not running.");
        experiments.MapGet("/{key}/results", Results).WithName("ExperimentResults").WithSummary("Results per variant")
            .WithDescription("n, successes, rate, mean score, latency and cost per variant; lift against the control with a 95% interval, p-value, chance to beat the control, the sample-ratio check and a decision.");
    }

    static async Task<Created<ExperimentView>> Create(CreateExperimentRequest request, HttpContext http, ExperimentRegistry registry, CancellationToken ct)
    {
        var caller = http.Caller();
        var experiment = await registry.CreateAsync(caller.ProjectId, request, caller.KeyName, ct);
        return TypedResults.Created($"/api/v1/experiments/{experiment.Key}", ExperimentViews.ToView(experiment));
    }

    static async Task<Ok<Paged<ExperimentView>>> List(string? status, string? prompt, PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var query = db.Experiments.AsNoTracking().Where(e => e.ProjectId == http.Caller().ProjectId);
        if (status is not null)
        {
            var wanted = Enum.GetValues<ExperimentStatus>().Cast<ExperimentStatus?>().FirstOrDefault(s => EnumText.Lower(s!.Value) == status)
                ?? throw ProblemException.Invalid("status", "must be draft, running or stopped");
            query = query.Where(e => e.Status == wanted);
        }
        if (prompt is not null) query = query.Where(e => e.PromptName == prompt);
        var total = await query.CountAsync(ct);
        var page = await query.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Key).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Paged<ExperimentView>([.. page.Select(ExperimentViews.ToView)], paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<ExperimentView>> Get(string key, HttpContext http, PromptHubDb db, CancellationToken ct) =>
        TypedResults.Ok(ExperimentViews.ToView(await FindAsync(db, http, key, ct)));

    static async Task<Ok<ExperimentView>> Start(string key, HttpContext http, ExperimentRegistry registry, CancellationToken ct)
    {
        var caller = http.Caller();
        return TypedResults.Ok(ExperimentViews.ToView(await registry.StartAsync(caller.ProjectId, KeyFromRoute(key), caller.KeyName, ct)));
    }

    static async Task<Ok<ExperimentView>> Stop(string key, StopExperimentRequest? request, HttpContext http, ExperimentRegistry registry, CancellationToken ct)
    {
        new Validation()
            .Check(request?.Reason is null || request.Reason.Length <= 2000, "reason", "must be at most 2000 characters")
            .Check(request?.Promote is null || Experiment.NameError(request.Promote) is null, "promote", "must be the name of one of the experiment's variants")
            .ThrowIfInvalid();
        var caller = http.Caller();
        var experiment = await registry.StopAsync(caller.ProjectId, KeyFromRoute(key), request?.Promote, request?.Reason, caller.KeyName, ct);
        return TypedResults.Ok(ExperimentViews.ToView(experiment));
    }

    /// <summary>Computed on each call from the raw executions; after a stop, only those reported before it count.</summary>
    static async Task<Ok<ExperimentResultsView>> Results(string key, HttpContext http, PromptHubDb db, IExperimentExecutions executions,
        IOptions<ExperimentsOptions> options, CancellationToken ct)
    {
        var experiment = await FindAsync(db, http, key, ct);
        var totals = await executions.TotalsAsync(experiment.ProjectId, experiment.PromptId, experiment.Key, experiment.StoppedAt, ct);
        return TypedResults.Ok(ExperimentResults.Build(experiment, totals, options.Value.Alpha));
    }

    static async Task<Experiment> FindAsync(PromptHubDb db, HttpContext http, string routeKey, CancellationToken ct)
    {
        var key = KeyFromRoute(routeKey);
        var projectId = http.Caller().ProjectId;
        return await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.ProjectId == projectId && e.Key == key, ct)
            ?? throw ProblemException.NotFound($"There is no experiment '{key}'.");
    }

    static string KeyFromRoute(string key) =>
        Experiment.NameError(key) is { } error ? throw ProblemException.Invalid("key", error) : key;
}

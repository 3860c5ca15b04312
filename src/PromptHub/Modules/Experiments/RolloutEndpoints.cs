using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Modules.Serving;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Experiments;

/// <summary>
/// Gradual rollouts of a label: start with a candidate version and a share of subjects, raise the share,
/// then complete (the label moves to the candidate) or abort. Each step is in the label's history.
/// </summary>
static class RolloutEndpoints
{
    public static void MapRolloutRoutes(this IEndpointRouteBuilder api)
    {
        var rollouts = api.MapGroup("/prompts/{name}/labels/{label}/rollout").WithTags("Rollouts").RequireAuthorization(AccessPolicies.Reader)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        rollouts.MapGet("/", Get).WithName("GetRollout").WithSummary("Read the label's rollout");
        rollouts.MapPost("/", Start).WithName("StartRollout").WithSummary("Start a rollout of a candidate version").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("The candidate gets `percent` of the subjects, the label's current version the rest. 409: the label has no version yet, or an experiment or rollout already runs on it.");
        rollouts.MapPatch("/", Change).WithName("ChangeRollout").WithSummary("Change the candidate's share").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("409: no rollout runs on the label.");
        rollouts.MapPost("/complete", Complete).WithName("CompleteRollout").WithSummary("Complete a rollout").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("The label moves to the candidate and the rollout ends. 409: no rollout runs on the label.");
        rollouts.MapPost("/abort", Abort).WithName("AbortRollout").WithSummary("Abort a rollout").RequireAuthorization(AccessPolicies.Admin)
            .WithDescription("Everyone gets the label's version again; the label does not move. 409: no rollout runs on the label.");
    }

    static async Task<Created<ExperimentView>> Start(string name, string label, StartRolloutRequest request, HttpContext http, ExperimentRegistry registry, CancellationToken ct)
    {
        var caller = http.Caller();
        var rollout = await registry.StartRolloutAsync(caller.ProjectId, PromptRules.NameFromRoute(name), PromptRules.LabelFromRoute(label, forMove: true), request, caller.KeyName, ct);
        return TypedResults.Created($"/api/v1/experiments/{rollout.Key}", ExperimentViews.ToView(rollout));
    }

    static async Task<Ok<ExperimentView>> Get(string name, string label, HttpContext http, IPromptCatalog catalog, PromptHubDb db, CancellationToken ct)
    {
        var (promptName, labelName) = (PromptRules.NameFromRoute(name), PromptRules.LabelFromRoute(label, forMove: false));
        var projectId = http.Caller().ProjectId;
        var prompt = await catalog.FindAsync(projectId, promptName) ?? throw ProblemException.NotFound($"There is no prompt named '{promptName}'.");
        var rollout = await db.Experiments.AsNoTracking()
            .SingleOrDefaultAsync(e => e.PromptId == prompt.Id && e.Label == labelName && e.Status == ExperimentStatus.Running && e.Kind == ExperimentKind.Rollout, ct)
            ?? throw ProblemException.NotFound($"No rollout is running on label '{labelName}' of prompt '{promptName}'.");
        return TypedResults.Ok(ExperimentViews.ToView(rollout));
    }

    static async Task<Ok<ExperimentView>> Change(string name, string label, ChangeRolloutRequest request, HttpContext http, ExperimentRegistry registry, CancellationToken ct)
    {
        var caller = http.Caller();
        var rollout = await registry.ChangeRolloutAsync(caller.ProjectId, PromptRules.NameFromRoute(name), PromptRules.LabelFromRoute(label, forMove: true), request, caller.KeyName, ct);
        return TypedResults.Ok(ExperimentViews.ToView(rollout));
    }

    static Task<Ok<ExperimentView>> Complete(string name, string label, EndRolloutRequest? request, HttpContext http, ExperimentRegistry registry, CancellationToken ct) =>
        End(name, label, complete: true, request, http, registry, ct);

    static Task<Ok<ExperimentView>> Abort(string name, string label, EndRolloutRequest? request, HttpContext http, ExperimentRegistry registry, CancellationToken ct) =>
        End(name, label, complete: false, request, http, registry, ct);

    static async Task<Ok<ExperimentView>> End(string name, string label, bool complete, EndRolloutRequest? request, HttpContext http, ExperimentRegistry registry, CancellationToken ct)
    {
        var caller = http.Caller();
        var rollout = await registry.EndRolloutAsync(caller.ProjectId, PromptRules.NameFromRoute(name), PromptRules.LabelFromRoute(label, forMove: true), complete,
            request?.Reason, caller.KeyName, ct);
        return TypedResults.Ok(ExperimentViews.ToView(rollout));
    }
}

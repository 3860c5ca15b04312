using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Access;

public sealed record CreateProjectRequest(string? Slug, string? Name);
public sealed record ProjectView(Guid Id, string Slug, string Name, DateTimeOffset CreatedAt);
public sealed record CreatedProject(Guid Id, string Slug, string Name, DateTimeOffset CreatedAt, CreatedKey AdminKey);

static class ProjectEndpoints
{
    public static void MapProjectEndpoints(this IEndpointRouteBuilder api)
    {
        // Every key may read its own project; only admin keys create one.
        var projects = api.MapGroup("/projects").WithTags("Projects").RequireAuthorization(AccessPolicies.AnyRole);
        projects.MapPost("/", Create).WithName("CreateProject").WithSummary("Create a project with its first admin key").ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("A project's data is invisible to every other project's keys. The admin key's secret is in this answer only. 409: the slug is taken.")
            .RequireAuthorization(AccessPolicies.Admin);
        projects.MapGet("/current", Current).WithName("GetCurrentProject").WithSummary("The caller's project");
        projects.MapGet("/{slug}", BySlug).WithName("GetProject").WithSummary("The caller's project by slug (another project's is 404)")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>`/projects/current` names the caller's project, so no project may be called that.</summary>
    const string ReservedSlug = "current";

    static async Task<Created<CreatedProject>> Create(CreateProjectRequest request, HttpContext http, ProjectCreation creation, CancellationToken ct)
    {
        new Validation()
            .Check(Project.IsValidSlug(request.Slug), "slug", SlugRule)
            .Check(request.Slug != ReservedSlug, "slug", $"'{ReservedSlug}' is reserved: /api/v1/projects/current is the caller's own project")
            .Check(!string.IsNullOrWhiteSpace(request.Name), "name", "is required")
            .Check(request.Name is null || request.Name.Length <= 200, "name", "must be at most 200 characters")
            .ThrowIfInvalid();

        var (project, key, secret) = await creation.CreateAsync(request.Slug!, request.Name!.Trim(), $"created by key '{http.Caller().KeyName}'", ct)
            ?? throw ProblemException.Conflict($"A project with slug '{request.Slug}' already exists.");
        // The new project's own address: its admin key (in this answer) reads it there; to every other
        // project's key it is 404 like all of that project's data.
        return TypedResults.Created($"/api/v1/projects/{project.Slug}",
            new CreatedProject(project.Id, project.Slug, project.Name, project.CreatedAt, KeyEndpoints.ToCreated(key, secret)));
    }

    const string SlugRule = "must be 1–64 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

    /// <summary>A project by slug, for its own keys only: another project's slug is 404, as if it did not exist.</summary>
    static async Task<Ok<ProjectView>> BySlug(string slug, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var projectId = http.Caller().ProjectId;
        // A malformed slug names no project: 400, without echoing what was sent.
        if (!Project.IsValidSlug(slug)) throw ProblemException.Invalid("slug", SlugRule);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId && p.Slug == slug, ct)
            ?? throw ProblemException.NotFound($"There is no project '{slug}'.");
        return TypedResults.Ok(new ProjectView(project.Id, project.Slug, project.Name, project.CreatedAt));
    }

    static async Task<Ok<ProjectView>> Current(HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var projectId = http.Caller().ProjectId;
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        return TypedResults.Ok(new ProjectView(project.Id, project.Slug, project.Name, project.CreatedAt));
    }
}

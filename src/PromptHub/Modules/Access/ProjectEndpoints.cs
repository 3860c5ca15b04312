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
        var projects = api.MapGroup("/projects").WithTags("Projects").RequireAuthorization(AccessPolicies.Admin);
        projects.MapPost("/", Create).WithName("CreateProject").WithSummary("Create a project with its first admin key").ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("A project's data is invisible to every other project's keys. The admin key's secret is in this answer only. 409: the slug is taken.");
        projects.MapGet("/current", Current).WithName("GetCurrentProject").WithSummary("The caller's project");
    }

    static async Task<Created<CreatedProject>> Create(CreateProjectRequest request, HttpContext http, ProjectCreation creation, CancellationToken ct)
    {
        new Validation()
            .Check(Project.IsValidSlug(request.Slug), "slug", "must be 1–64 characters of a-z, 0-9 and '-', starting and ending with a letter or digit")
            .Check(!string.IsNullOrWhiteSpace(request.Name), "name", "is required")
            .Check(request.Name is null || request.Name.Length <= 200, "name", "must be at most 200 characters")
            .ThrowIfInvalid();

        var (project, key, secret) = await creation.CreateAsync(request.Slug!, request.Name!.Trim(), $"created by key '{http.Caller().KeyName}'", ct)
            ?? throw ProblemException.Conflict($"A project with slug '{request.Slug}' already exists.");
        return TypedResults.Created("/api/v1/projects/current",
            new CreatedProject(project.Id, project.Slug, project.Name, project.CreatedAt, KeyEndpoints.ToCreated(key, secret)));
    }

    static async Task<Ok<ProjectView>> Current(HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var projectId = http.Caller().ProjectId;
        var project = await db.Projects.SingleAsync(p => p.Id == projectId, ct);
        return TypedResults.Ok(new ProjectView(project.Id, project.Slug, project.Name, project.CreatedAt));
    }
}

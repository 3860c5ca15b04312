using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>The home project's id, read once (<see cref="IHomeProject"/>).</summary>
sealed class HomeProject(IServiceScopeFactory scopes) : IHomeProject
{
    Guid? _id;

    public async ValueTask<Guid?> IdAsync(CancellationToken ct)
    {
        if (_id is { } known) return known;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var id = await db.Projects.Where(p => p.Slug == IHomeProject.Slug).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(ct);
        _id = id; // a project is never deleted: once known, the id stays right
        return id;
    }
}

sealed class HomeProjectHandler(IHomeProject home) : AuthorizationHandler<HomeProjectRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, HomeProjectRequirement requirement)
    {
        if (context.User is CallerPrincipal { Caller: var caller } && caller.ProjectId == await home.IdAsync(CancellationToken.None))
        {
            context.Succeed(requirement);
        }
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>
/// The installation's home project, `default` (the one bootstrap creates). Its keys are the
/// installation's operators: installation-wide pages (the jobs dashboard, `/api/v1/ops`) accept only them.
/// </summary>
public sealed class HomeProject(IServiceScopeFactory scopes)
{
    public const string Slug = "default";

    Guid? _id;

    public async ValueTask<Guid?> IdAsync(CancellationToken ct)
    {
        if (_id is { } known) return known;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var id = await db.Projects.Where(p => p.Slug == Slug).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(ct);
        _id = id; // a project is never deleted: once known, the id stays right
        return id;
    }
}

/// <summary>A policy requirement: the caller's key belongs to the <see cref="HomeProject"/>.</summary>
public sealed class HomeProjectRequirement : IAuthorizationRequirement;

sealed class HomeProjectHandler(HomeProject home) : AuthorizationHandler<HomeProjectRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, HomeProjectRequirement requirement)
    {
        if (context.User is CallerPrincipal { Caller: var caller } && caller.ProjectId == await home.IdAsync(CancellationToken.None))
        {
            context.Succeed(requirement);
        }
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// Who may use the installation-wide ops pages and API (they show every project's jobs): `ops` and
/// `admin` keys of the home project read; only `admin` keys act (trigger, requeue, delete, pause)
/// unless PromptHub:Jobs:OpsMayAct is on. Any other project's key: 403.
/// </summary>
static class OpsAccess
{
    internal static void AddOps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OpsPolicies.Read, p => p.RequireRole("ops", "admin").AddRequirements(new HomeProjectRequirement()))
            .AddPolicy(OpsPolicies.Act, p => p.RequireRole("ops", "admin").AddRequirements(new HomeProjectRequirement(), new MayActRequirement()));
        builder.Services.AddSingleton<IAuthorizationHandler, MayActHandler>();
        // The dashboard's POSTs carry Hangfire's antiforgery token once antiforgery is registered
        // (without it, Hangfire accepts a POST with no token at all).
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "prompthub_antiforgery");
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, SignInForDashboard>();
    }

    /// <summary>May this caller act (not just read)? The dashboard is read-only for everyone else.</summary>
    public static bool MayAct(HttpContext http) =>
        http.CallerOrNull() is { } caller && MayAct(caller, http.RequestServices.GetRequiredService<IOptions<JobsOptions>>().Value);

    static bool MayAct(Caller caller, JobsOptions options) => caller.Role == ApiKeyRole.Admin || caller.Role == ApiKeyRole.Ops && options.OpsMayAct;

    /// <summary>Admin keys act; ops keys too when PromptHub:Jobs:OpsMayAct is on (read when asked, not at start-up).</summary>
    sealed class MayActRequirement : IAuthorizationRequirement;

    sealed class MayActHandler(IOptionsMonitor<JobsOptions> options) : AuthorizationHandler<MayActRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MayActRequirement requirement)
        {
            if (context.User.CallerOrNull() is { } caller && MayAct(caller, options.CurrentValue)) context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}

/// <summary>Marks the dashboard's endpoints: a browser without a key is sent to the sign-in page, not answered 401.</summary>
sealed class DashboardEndpoint;

/// <summary>Turns the challenge of a dashboard page into a redirect to `/ops/sign-in`; everything else is answered as usual.</summary>
sealed class SignInForDashboard : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged && context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpoint>() is not null)
        {
            var back = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect($"{OpsPages.SignInPath}?returnUrl={Uri.EscapeDataString(back)}");
            return Task.CompletedTask;
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

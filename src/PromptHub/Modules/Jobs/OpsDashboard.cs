using System.Net;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Access;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// Hangfire's dashboard at `/hangfire` behind PromptHub's keys (a signed-in cookie or a Bearer header),
/// read-only unless the caller may act, with PromptHub's own pages added through Hangfire's extension
/// points (<see cref="DashboardRoutes"/>, <see cref="NavigationMenu"/>): pause/resume here, the
/// Notifications page from its module.
/// </summary>
public static class OpsDashboard
{
    public const string Path = "/hangfire";
    static readonly HashSet<string> Added = [];

    internal static void MapOpsDashboard(this IEndpointRouteBuilder app)
    {
        AddPage("/pauses", "Pause / resume", () => new PausesPage());
        AddAction("/pauses/pause", PausesPage.PauseAsync);
        AddAction("/pauses/resume", PausesPage.ResumeAsync);
        lock (Added)
        {
            if (Added.Add(OpsPages.SignOutPath))
            {
                NavigationMenu.Items.Add(_ => new MenuItem("Sign out", OpsPages.SignOutPath));
                JobHistoryRenderer.AddStateCssSuffix(SkippedState.StateName, "inactive");
            }
        }

        var catalog = app.ServiceProvider.GetRequiredService<JobCatalog>();
        app.MapHangfireDashboard(Path, new DashboardOptions
        {
            // Who may open it is the endpoint's authorization below; Hangfire's local-only default goes.
            Authorization = [],
            AsyncAuthorization = [],
            IsReadOnlyFunc = context => !OpsAccess.MayAct(context.GetHttpContext()),
            DashboardTitle = "PromptHub jobs",
            AppPath = null,
            DisplayStorageConnectionString = false,
            DisplayNameFunc = (_, job) => catalog.Find(catalog.NameOf(job.Type)) is { } declared ? $"{declared.Id}: {declared.Description}" : job.ToString(),
        }).RequireAuthorization(OpsPolicies.Read).WithMetadata(new DashboardEndpoint());
        app.MapOpsPages();
    }

    /// <summary>A page inside the dashboard, with an entry in its top menu. Hangfire's routes are process-wide: added once.</summary>
    internal static void AddPage(string path, string menuText, Func<DashboardPage> page)
    {
        lock (Added)
        {
            if (!Added.Add(path)) return;
            DashboardRoutes.Routes.AddRazorPage(path, _ => page());
            NavigationMenu.Items.Add(current => new MenuItem(menuText, current.Url.To(path)) { Active = current.RequestPath.StartsWith(path, StringComparison.Ordinal) });
        }
    }

    /// <summary>
    /// A form post inside the dashboard: refused (401) in read-only mode like Hangfire's own commands,
    /// protected by the antiforgery token; the action answers where to go back to.
    /// </summary>
    internal static void AddAction(string path, Func<HttpContext, Task<string>> action)
    {
        lock (Added)
        {
            if (Added.Add(path)) DashboardRoutes.Routes.Add(path, new ActionDispatcher(action));
        }
    }

    sealed class ActionDispatcher(Func<HttpContext, Task<string>> action) : IDashboardDispatcher
    {
        public async Task Dispatch(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }
            if (context.IsReadOnly)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            var back = await action(http);
            http.Response.Redirect(http.Request.PathBase + back);
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
        }
    }
}

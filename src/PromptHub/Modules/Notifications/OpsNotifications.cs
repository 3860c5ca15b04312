using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Access;
using PromptHub.Modules.Jobs;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

/// <summary>A message of any project, as ops see it.</summary>
public sealed record OpsNotificationView(string Project, NotificationView Notification);

/// <summary>
/// The Discord outbox of the whole installation, for ops: the Notifications page inside the jobs
/// dashboard, and the same as JSON under `/api/v1/ops/notifications` (counts by state, the messages
/// with attempts and last error, and retry of a failed or dead one).
/// </summary>
static class OpsNotifications
{
    public static void MapOpsNotificationRoutes(this IEndpointRouteBuilder api)
    {
        var ops = api.MapGroup("/ops/notifications").WithTags("Ops").RequireAuthorization(OpsPolicies.Read);
        ops.MapGet("/", async (string? state, PageRequest paging, PromptHubDb db, IProjectSlugs projects, CancellationToken ct) => TypedResults.Ok(await ListAsync(db, projects, state, paging, ct)))
            .WithName("OpsListNotifications").WithSummary("The outbox of every project");
        ops.MapGet("/states", async (PromptHubDb db, CancellationToken ct) => TypedResults.Ok(await CountsAsync(db, ct))).WithName("OpsNotificationStates").WithSummary("Outbox messages per state");
        ops.MapPost("/{id}/retry", Retry).WithName("OpsRetryNotification").WithSummary("Retry a failed announcement (any project)").RequireAuthorization(OpsPolicies.Act)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("409: only failed messages can be retried.");
    }

    /// <summary>The page and its Retry action, inside the dashboard.</summary>
    public static void AddDashboardPage()
    {
        DashboardPages.AddPage("/notifications", "Notifications", () => new NotificationsPage());
        DashboardPages.AddAction("/notifications/retry", NotificationsPage.RetryAsync);
    }

    static async Task<Ok<OpsNotificationView>> Retry(string id, PromptHubDb db, IProjectSlugs projects, OutboxRetry retry, CancellationToken ct)
    {
        var message = await retry.RetryAsync(db, id, null, ct);
        return TypedResults.Ok(new OpsNotificationView(await SlugAsync(projects, message.ProjectId, ct), NotificationEndpoints.ToView(message)));
    }

    public static async Task<Paged<OpsNotificationView>> ListAsync(PromptHubDb db, IProjectSlugs projects, string? state, PageRequest paging, CancellationToken ct)
    {
        var (page, total) = await NotificationEndpoints.PageAsync(db.Outbox.AsNoTracking(), state, paging, ct);
        var ids = page.Select(m => m.ProjectId).Distinct().ToList();
        var slugs = await projects.SlugsAsync(ids, ct);
        return new Paged<OpsNotificationView>([.. page.Select(m => new OpsNotificationView(slugs.GetValueOrDefault(m.ProjectId, "?"), NotificationEndpoints.ToView(m)))],
            paging.Page, paging.PageSize, total);
    }

    /// <summary>How many messages are in each state (every state, zero included).</summary>
    public static async Task<Dictionary<string, int>> CountsAsync(PromptHubDb db, CancellationToken ct)
    {
        var counts = await db.Outbox.GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return Enum.GetValues<OutboxState>().ToDictionary(s => EnumText.Lower(s), s => counts.GetValueOrDefault(s));
    }

    static async Task<string> SlugAsync(IProjectSlugs projects, Guid projectId, CancellationToken ct) =>
        (await projects.SlugsAsync([projectId], ct)).GetValueOrDefault(projectId, "?");

    /// <summary>`/hangfire/notifications`: counts by state, the newest messages (of one state), and Retry for failed or dead ones.</summary>
    sealed class NotificationsPage() : DashboardPage("Notifications")
    {
        protected override void Body()
        {
            var db = Service<PromptHubDb>();
            var state = Query("state") is { Length: > 0 } s ? s : null;
            if (state is not null && !Enum.TryParse<OutboxState>(state, ignoreCase: true, out _)) state = null;
            var page = int.TryParse(Query("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
            var counts = CountsAsync(db, Http.RequestAborted).GetAwaiter().GetResult();
            var list = ListAsync(db, Service<IProjectSlugs>(), state, new PageRequest(page, 50), Http.RequestAborted).GetAwaiter().GetResult();
            var switchedOn = Service<NotificationSwitch>();
            if (Query("error") is { Length: > 0 } error) WriteLiteral($"<div class=\"alert alert-danger\">{Encode(error)}</div>");
            WriteLiteral($"<p>Discord announcements are <b>{(switchedOn.Enabled ? "on" : "off")}</b>{Encode(switchedOn.WhyOff is { } why ? ": " + why : "")}.</p>");
            WriteLiteral("<ul class=\"nav nav-pills\" id=\"states\">");
            WriteLiteral($"<li class=\"{(state is null ? "active" : "")}\"><a href=\"{Url.To("/notifications")}\">all <span class=\"badge\">{counts.Values.Sum()}</span></a></li>");
            foreach (var (name, count) in counts)
            {
                WriteLiteral($"<li class=\"{(state == name ? "active" : "")}\"><a href=\"{Url.To("/notifications")}?state={name}\">{name} <span class=\"badge\">{count}</span></a></li>");
            }
            WriteLiteral("""
                </ul><table class="table table-striped" id="notifications"><thead><tr><th>Created</th><th>Project</th><th>Message</th><th>Webhook</th>
                <th>State</th><th>Attempts</th><th>Next attempt</th><th>Last error</th><th></th></tr></thead><tbody>
                """);
            foreach (var (project, m) in list.Items.Select(i => (i.Project, i.Notification)))
            {
                var retry = !IsReadOnly && m.State is "failed" or "dead"
                    ? Form("/notifications/retry", $"<input type=\"hidden\" name=\"id\" value=\"{m.Id}\">", "Retry") : "";
                WriteLiteral($"""
                    <tr data-id="{m.Id}"><td>{Encode(m.CreatedAt.ToString("u", CultureInfo.InvariantCulture))}</td><td>{Encode(project)}</td><td>{Encode(m.Title)}</td>
                    <td>{Encode(m.Webhook)}</td><td><span class="label label-{Label(m.State)}">{Encode(m.State)}</span></td><td>{m.Attempts}</td>
                    <td>{Encode(m.State is "pending" ? m.NextAttemptAt.ToString("u", CultureInfo.InvariantCulture) : "")}</td><td>{Encode(m.LastError)}</td><td>{retry}</td></tr>
                    """);
            }
            WriteLiteral("</tbody></table>");
            var pages = (list.Total + list.PageSize - 1) / list.PageSize;
            if (pages > 1)
            {
                WriteLiteral($"<p>Page {list.Page} of {pages}. ");
                if (page > 1) WriteLiteral($"<a href=\"{Url.To("/notifications")}?state={state}&page={page - 1}\">Newer</a> ");
                if (page < pages) WriteLiteral($"<a href=\"{Url.To("/notifications")}?state={state}&page={page + 1}\">Older</a>");
                WriteLiteral("</p>");
            }
        }

        static string Label(string state) => state switch
        {
            "delivered" => "success",
            "failed" or "dead" => "danger",
            "sending" => "warning",
            _ => "default",
        };

        public static async Task<string> RetryAsync(HttpContext http)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            try
            {
                await http.RequestServices.GetRequiredService<OutboxRetry>().RetryAsync(http.RequestServices.GetRequiredService<PromptHubDb>(), form["id"].ToString(), null, http.RequestAborted);
                return "/notifications";
            }
            catch (ProblemException e)
            {
                return $"/notifications?error={Uri.EscapeDataString(e.Message)}";
            }
        }
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

public sealed record NotificationView(Guid Id, string Kind, string EventKey, string Webhook, string State, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, string? DiscordMessageId, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, string? Title);
public sealed record TestNotificationRequest(string? Webhook);
public sealed record TestNotificationResult(string Webhook, string Url, bool Delivered, string Answer, string? DiscordMessageId);
public sealed record WebhookView(string Name, string Url, string? Tag, string? Folder);
public sealed record NotificationsOverview(bool Enabled, string DeploymentEnvironment, string? WhyOff, IReadOnlyList<WebhookView> Webhooks);

static class NotificationEndpoints
{
    public static void MapNotificationRoutes(this IEndpointRouteBuilder api)
    {
        // Ops keys read the outbox and settings; sending and retrying stay with admin keys.
        var notifications = api.MapGroup("/notifications").WithTags("Notifications").RequireAuthorization(AccessPolicies.Watch);
        notifications.MapGet("/", List).WithName("ListNotifications").WithSummary("The outbox: announcements and their delivery");
        notifications.MapGet("/settings", Settings).WithName("NotificationSettings").WithSummary("Whether announcements are on, and the webhooks");
        notifications.MapPost("/test", Test).WithName("TestNotification").WithSummary("Send a test message to a webhook").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Sent at once, not through the outbox. 404: no webhook of that name; 409: no webhook is configured.")
            .RequireAuthorization(AccessPolicies.Admin);
        notifications.MapPost("/{id}/retry", Retry).WithName("RetryNotification").WithSummary("Retry a failed announcement").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("409: only failed messages can be retried.")
            .RequireAuthorization(AccessPolicies.Admin);
    }

    static async Task<Ok<Paged<NotificationView>>> List(string? state, PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var projectId = http.Caller().ProjectId;
        var (page, total) = await PageAsync(db.Outbox.AsNoTracking().Where(m => m.ProjectId == projectId), state, paging, ct);
        return TypedResults.Ok(new Paged<NotificationView>(page.Select(ToView).ToList(), paging.Page, paging.PageSize, total));
    }

    /// <summary>A page of messages, newest first, in one state (`?state=`) or all.</summary>
    public static async Task<(List<OutboxMessage> Page, int Total)> PageAsync(IQueryable<OutboxMessage> query, string? state, PageRequest paging, CancellationToken ct)
    {
        if (state is not null)
        {
            if (!Enum.TryParse<OutboxState>(state, ignoreCase: true, out var wanted) || state.Any(char.IsUpper))
            {
                throw ProblemException.Invalid("state", "must be one of pending, sending, delivered, failed, dead");
            }
            query = query.Where(m => m.State == wanted);
        }
        var total = await query.CountAsync(ct);
        return (await query.OrderByDescending(m => m.CreatedAt).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct), total);
    }

    static Ok<NotificationsOverview> Settings(NotificationSwitch notifications, IOptions<DiscordOptions> options) =>
        TypedResults.Ok(new NotificationsOverview(notifications.Enabled, notifications.DeploymentEnvironment, notifications.WhyOff,
            options.Value.Webhooks().Select(w => new WebhookView(w.Name, DiscordOptions.Mask(w.WebhookUrl), w.Tag, w.Folder)).ToList()));

    /// <summary>Sends a message to a webhook now (not through the outbox) and reports what Discord answered.</summary>
    static async Task<Ok<TestNotificationResult>> Test(TestNotificationRequest? request, HttpContext http, IOptions<DiscordOptions> options,
        DiscordWebhookClient discord, TimeProvider time, IProjectSlugs projects, CancellationToken ct)
    {
        var webhooks = options.Value.Webhooks();
        if (webhooks.Count == 0) throw ProblemException.Conflict("No Discord webhook is configured (PromptHub:Discord:WebhookUrl).");
        var name = request?.Webhook ?? webhooks[0].Name;
        var route = webhooks.FirstOrDefault(w => w.Name == name)
            ?? throw ProblemException.NotFound($"There is no webhook named '{name}' (configured: {string.Join(", ", webhooks.Select(w => w.Name))}).");
        var embed = DiscordEmbeds.Embed(OutboxKinds.Test, new JsonObject
        {
            ["project"] = await ProductionAnnouncements.SlugAsync(projects, http.Caller().ProjectId, ct),
            ["title"] = "PromptHub test message",
            ["description"] = $"Sent by key '{http.Caller().KeyName}' to webhook '{route.Name}'. If you can read this, announcements will arrive here.",
            ["at"] = DiscordEmbeds.Iso(time.GetUtcNow()),
        });
        var answer = await discord.SendAsync(route.WebhookUrl, DiscordEmbeds.Message(options.Value.Username, [embed]), ct);
        var delivered = answer as DiscordAnswer.Delivered;
        return TypedResults.Ok(new TestNotificationResult(route.Name, DiscordOptions.Mask(route.WebhookUrl), delivered is not null, answer.Description,
            delivered?.MessageId));
    }

    static async Task<Ok<NotificationView>> Retry(string id, HttpContext http, PromptHubDb db, OutboxRetry retry, CancellationToken ct) =>
        TypedResults.Ok(ToView(await retry.RetryAsync(db, id, http.Caller().ProjectId, ct)));

    /// <summary>An outbox row as the API shows it, titled like its Discord embed.</summary>
    public static NotificationView ToView(OutboxMessage m) =>
        new(m.Id, m.Kind, m.EventKey, m.Webhook, EnumText.Lower(m.State), m.Attempts, m.NextAttemptAt, m.LastError,
            m.DiscordMessageId, m.CreatedAt, m.DeliveredAt, DiscordEmbeds.Embed(m.Kind, JsonNode.Parse(m.Payload)!.AsObject())["title"]?.GetValue<string>());
}

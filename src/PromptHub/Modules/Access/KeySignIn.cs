using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

using PromptHub.Platform;

namespace PromptHub.Modules.Access;

/// <summary>
/// A key signed in to a browser page (the jobs dashboard): an HttpOnly, SameSite=Strict cookie (Secure on
/// https) holding a ticket protected by ASP.NET Core Data Protection — key id, project, role, name and
/// expiry, never the secret. Every 30 seconds of use the key is looked up again, so a revoked key's
/// cookie stops working within a minute.
/// </summary>
public static class KeySignIn
{
    public const string SchemeName = "KeyCookie";
    public const string CookieName = "prompthub_key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(30);
    const string CheckedClaim = "prompthub:checked";
    const string ProjectClaim = "prompthub:project";

    internal static void AddKeySignIn(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(SchemeName, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = Lifetime;
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = RecheckAsync;
        });

    public static Task SignInAsync(HttpContext http, Caller caller) =>
        http.SignInAsync(SchemeName, Ticket(caller, Now(http)), new AuthenticationProperties { IsPersistent = false });

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(SchemeName);

    /// <summary>The caller of a valid cookie, or null.</summary>
    internal static async Task<CallerPrincipal?> AuthenticateAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(SchemeName);
        return result.Succeeded ? FromTicket(result.Principal) : null;
    }

    static DateTimeOffset Now(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    static ClaimsPrincipal Ticket(Caller caller, DateTimeOffset checkedAt) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, caller.KeyId.ToString()),
        new Claim(ProjectClaim, caller.ProjectId.ToString()),
        new Claim(ClaimTypes.Role, EnumText.Lower(caller.Role)),
        new Claim(ClaimTypes.Name, caller.KeyName),
        new Claim(CheckedClaim, checkedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
    ], SchemeName));

    static CallerPrincipal? FromTicket(ClaimsPrincipal ticket) =>
        Guid.TryParse(ticket.FindFirstValue(ClaimTypes.NameIdentifier), out var keyId) &&
        Guid.TryParse(ticket.FindFirstValue(ProjectClaim), out var projectId) &&
        Enum.TryParse<ApiKeyRole>(ticket.FindFirstValue(ClaimTypes.Role), ignoreCase: true, out var role)
            ? new CallerPrincipal(new Caller(keyId, projectId, role, ticket.FindFirstValue(ClaimTypes.Name) ?? ""))
            : null;

    /// <summary>Past <see cref="RecheckAfter"/>, the key must still exist, unrevoked; the ticket is then renewed.</summary>
    static async Task RecheckAsync(CookieValidatePrincipalContext context)
    {
        var now = Now(context.HttpContext);
        var checkedAt = long.TryParse(context.Principal?.FindFirstValue(CheckedClaim), CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MinValue;
        if (now - checkedAt < RecheckAfter) return;
        var caller = context.Principal is { } principal ? FromTicket(principal)?.Caller : null;
        var current = caller is null ? null
            : await context.HttpContext.RequestServices.GetRequiredService<ApiKeyDirectory>().FindByIdAsync(caller.KeyId, context.HttpContext.RequestAborted);
        if (current is null)
        {
            context.RejectPrincipal();
            await SignOutAsync(context.HttpContext);
            return;
        }
        context.ReplacePrincipal(Ticket(current, now));
        context.ShouldRenew = true;
    }
}

/// <summary>What the Jobs module's sign-in page uses: the key directory's lookup and <see cref="KeySignIn"/>'s cookie.</summary>
sealed class BrowserSignIn(ApiKeyDirectory keys) : IKeySignIn
{
    public async ValueTask<Caller?> FindAsync(string secret, CancellationToken ct) => (await keys.FindAsync(secret, ct))?.Caller;

    public Task SignInAsync(HttpContext http, Caller caller) => KeySignIn.SignInAsync(http, caller);

    public Task SignOutAsync(HttpContext http) => KeySignIn.SignOutAsync(http);
}

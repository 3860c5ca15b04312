using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Access;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// `/ops` (to the dashboard), and the small sign-in page in front of it: an `ops` or `admin` key of the
/// home project, pasted once, becomes a signed-in cookie (<see cref="IKeySignIn"/>); the key itself is
/// never stored in the browser.
/// </summary>
static class OpsPages
{
    public const string SignInPath = "/ops/sign-in";
    public const string SignOutPath = "/ops/sign-out";

    public static void MapOpsPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").ExcludeFromDescription();
        pages.MapGet("/ops", () => TypedResults.Redirect(OpsDashboard.Path));
        pages.MapGet(SignInPath, (HttpContext http, string? returnUrl) => Page(http, SignInForm(http, returnUrl, null), StatusCodes.Status200OK));
        pages.MapPost(SignInPath, SignInAsync);
        pages.MapGet(SignOutPath, (HttpContext http) => Page(http, Form(http, SignOutPath, "", "Sign out", "Sign out of the PromptHub jobs dashboard?"), StatusCodes.Status200OK));
        pages.MapPost(SignOutPath, async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http)) return FormExpired();
            await http.RequestServices.GetRequiredService<IKeySignIn>().SignOutAsync(http);
            return TypedResults.Redirect(SignInPath);
        });
    }

    static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, IKeySignIn signIn, IHomeProject home)
    {
        if (!await antiforgery.IsRequestValidAsync(http)) return FormExpired();
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = form["returnUrl"].ToString();
        var secret = form["key"].ToString().Trim();
        var caller = secret.Length is > 0 and <= 512 ? await signIn.FindAsync(secret, http.RequestAborted) : null;
        if (caller is null) return Page(http, SignInForm(http, returnUrl, "This key is unknown or has been revoked."), StatusCodes.Status401Unauthorized);
        if (caller.Role == ApiKeyRole.Reader || caller.ProjectId != await home.IdAsync(http.RequestAborted))
        {
            return Page(http, SignInForm(http, returnUrl, $"The key '{caller.KeyName}' may not open the jobs dashboard: it takes an ops or admin key of the project '{IHomeProject.Slug}'."),
                StatusCodes.Status403Forbidden);
        }
        await signIn.SignInAsync(http, caller);
        // Only back to a page of this site (an open redirect would forward the signed-in browser anywhere).
        var local = returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal);
        return TypedResults.Redirect(local ? returnUrl : OpsDashboard.Path);
    }

    /// <summary>A post without this site's antiforgery token: from another site, or a page left open too long.</summary>
    static IResult FormExpired() =>
        TypedResults.Problem("The form did not come from this page (or was open too long): reload it and try again.", statusCode: StatusCodes.Status403Forbidden);

    static string SignInForm(HttpContext http, string? returnUrl, string? error) =>
        (error is null ? "" : $"<p class=\"error\" id=\"error\">{WebUtility.HtmlEncode(error)}</p>") +
        Form(http, SignInPath, $"""
            <label for="key">API key (role ops or admin, project {IHomeProject.Slug})</label>
            <input id="key" name="key" type="password" autocomplete="off" required autofocus>
            <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl ?? OpsDashboard.Path)}">
            """, "Sign in", "Sign in to the PromptHub jobs dashboard");

    static string Form(HttpContext http, string action, string fields, string button, string heading)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return $"""
            <h1>{WebUtility.HtmlEncode(heading)}</h1>
            <form method="post" action="{action}">
            <input type="hidden" name="{tokens.FormFieldName}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">
            {fields}
            <button type="submit" id="submit">{button}</button>
            </form>
            """;
    }

    static IResult Page(HttpContext http, string body, int status)
    {
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Content($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>PromptHub jobs</title><meta name="robots" content="none">
            <style>
            body { font-family: system-ui, sans-serif; background: #f5f5f5; margin: 0; }
            main { max-width: 26rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
            h1 { font-size: 1.3rem; margin-top: 0; } label { display: block; margin-bottom: .4rem; font-size: .9rem; }
            input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; margin-bottom: 1rem; }
            button { background: #337ab7; color: #fff; border: 0; padding: .5rem 1.2rem; border-radius: 4px; cursor: pointer; }
            .error { color: #a94442; background: #f2dede; padding: .6rem; border-radius: 4px; }
            </style></head>
            <body><main>{{body}}</main></body></html>
            """, "text/html; charset=utf-8", statusCode: status);
    }
}

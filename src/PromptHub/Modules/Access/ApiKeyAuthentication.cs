using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PromptHub.Modules.Access;

/// <summary>`Authorization: Bearer &lt;secret&gt;` → the key's caller; 401 and 403 as problem+json.</summary>
sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyDirectory keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    const string Prefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("not a bearer token");

        var secret = header[Prefix.Length..].Trim();
        if (secret.Length is 0 or > 512) return AuthenticateResult.Fail("malformed key");
        var caller = await keys.FindAsync(secret, Context.RequestAborted);
        if (caller is null) return AuthenticateResult.Fail("unknown or revoked key");

        Context.SetCaller(caller);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, caller.KeyId.ToString()),
                new Claim(ClaimTypes.Role, caller.Role.ToString().ToLowerInvariant()),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var sent = !string.IsNullOrEmpty(Request.Headers.Authorization);
        return Write(StatusCodes.Status401Unauthorized, "Unauthorized", sent
            ? "The API key is invalid or has been revoked."
            : "An API key is required: send the header 'Authorization: Bearer <secret>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.CallerOrNull()?.Role.ToString().ToLowerInvariant() ?? "unknown";
        return Write(StatusCodes.Status403Forbidden, "Forbidden", $"A key with role '{role}' may not do this.");
    }

    Task Write(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
}

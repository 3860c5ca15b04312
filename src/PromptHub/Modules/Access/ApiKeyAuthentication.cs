using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using PromptHub.Platform;

namespace PromptHub.Modules.Access;

/// <summary>
/// `Authorization: Bearer &lt;secret&gt;` (or, without that header, a key signed in with <see cref="KeySignIn"/>) → the key's principal. <see cref="Authenticate"/> runs on every
/// request (a middleware, so that a cached key costs a hash and a lookup, no handler or claims to build);
/// the handler below answers 401 and 403 as problem+json when authorization refuses.
/// </summary>
sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    const string Prefix = "Bearer ";
    const string BasicPrefix = "Basic ";
    const int MaxSecretLength = 512;

    public static async Task Authenticate(HttpContext context, RequestDelegate next, ApiKeyDirectory keys)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            var secret = header.AsSpan(Prefix.Length).Trim();
            if (secret.Length is > 0 and <= MaxSecretLength)
            {
                var principal = await keys.FindAsync(secret.ToString(), context.RequestAborted);
                if (principal is not null) context.User = principal;
            }
        }
        else if (header is not null && header.StartsWith(BasicPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // Langfuse's SDKs send `Basic base64(publicId:secret)`.
            if (ReadBasic(header.AsSpan(BasicPrefix.Length).Trim()) is var (publicId, secret) && secret.Length is > 0 and <= MaxSecretLength)
            {
                var principal = await keys.FindAsync(secret, publicId, context.RequestAborted);
                if (principal is not null) context.User = principal;
            }
        }
        else if (context.Request.Cookies.ContainsKey(KeySignIn.CookieName) && await KeySignIn.AuthenticateAsync(context) is { } signedIn)
        {
            context.User = signedIn;
        }
        await next(context);
    }

    /// <summary>`publicId:secret` from Basic credentials, or null when they are not valid base64 UTF-8 with a colon.</summary>
    static (string PublicId, string Secret)? ReadBasic(ReadOnlySpan<char> encoded)
    {
        if (encoded.Length is 0 or > 2 * MaxSecretLength) return null;
        Span<byte> bytes = stackalloc byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written)) return null;
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[..written]);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
        var colon = text.IndexOf(':');
        return colon <= 0 ? null : (text[..colon], text[(colon + 1)..]);
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Context.User is CallerPrincipal principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Write(StatusCodes.Status401Unauthorized, "Unauthorized", WhatIsWrong(Request.Headers.Authorization));
    }

    /// <summary>
    /// Why a request without a valid key was refused: a header in the wrong shape is named as such (never
    /// echoing what it holds), so that only a well-formed key that matches nothing reads "invalid or revoked".
    /// </summary>
    internal static string WhatIsWrong(string? header)
    {
        const string Expected = "send the header 'Authorization: Bearer <secret>', with the key alone after 'Bearer '";
        if (string.IsNullOrWhiteSpace(header)) return $"An API key is required: {Expected}.";
        var value = header.Trim();
        if (value.StartsWith(BasicPrefix, StringComparison.OrdinalIgnoreCase)) return "The API key is invalid or has been revoked.";
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return value.Equals(Prefix.Trim(), StringComparison.OrdinalIgnoreCase)
                ? $"The Authorization header has no key after 'Bearer': {Expected}."
                : $"The Authorization header does not start with 'Bearer ': {Expected}.";
        }
        var secret = value[Prefix.Length..].Trim();
        if (secret.Length == 0) return $"The Authorization header has no key after 'Bearer': {Expected}.";
        if (secret.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || secret.Equals(Prefix.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return $"The Authorization header says 'Bearer' twice: {Expected}.";
        }
        if (secret.Length > MaxSecretLength) return $"The key in the Authorization header is longer than {MaxSecretLength} characters, so it is no PromptHub key.";
        if (secret.Any(char.IsWhiteSpace)) return $"The key in the Authorization header contains spaces: {Expected}.";
        return "The API key is invalid or has been revoked.";
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.CallerOrNull() is { } caller ? EnumText.Lower(caller.Role) : "unknown";
        return Write(StatusCodes.Status403Forbidden, "Forbidden", $"A key with role '{role}' may not do this.");
    }

    Task Write(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
}

using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace PromptHub.Modules.Access;

/// <summary>Who is calling: the authenticated key, its project and role. Every query is scoped by ProjectId.</summary>
public sealed record Caller(Guid KeyId, Guid ProjectId, ApiKeyRole Role, string KeyName);

/// <summary>
/// The principal of a key, built once when the key is looked up and reused for each of its requests
/// (authentication then allocates nothing on the serving path).
/// </summary>
public sealed class CallerPrincipal(Caller caller) : ClaimsPrincipal(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, caller.KeyId.ToString()),
        new Claim(ClaimTypes.Role, caller.Role.ToString().ToLowerInvariant()),
    ],
    ApiKeyAuthentication.SchemeName))
{
    public Caller Caller { get; } = caller;
}

public static class CallerExtensions
{
    /// <summary>The caller of an endpoint that requires authorization (always set there).</summary>
    public static Caller Caller(this HttpContext context) =>
        context.CallerOrNull() ?? throw new InvalidOperationException("No authenticated caller on this request.");

    public static Caller? CallerOrNull(this HttpContext context) => (context.User as CallerPrincipal)?.Caller;
}

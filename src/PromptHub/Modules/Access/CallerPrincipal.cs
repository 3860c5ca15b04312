using System.Security.Claims;
using Microsoft.AspNetCore.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Access;

/// <summary>
/// The principal of a key, built once when the key is looked up and reused for each of its requests
/// (authentication then allocates nothing on the serving path).
/// </summary>
public sealed class CallerPrincipal(Caller caller) : ClaimsPrincipal(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, caller.KeyId.ToString()),
        new Claim(ClaimTypes.Role, EnumText.Lower(caller.Role)),
    ],
    ApiKeyAuthentication.SchemeName))
{
    public Caller Caller { get; } = caller;
}

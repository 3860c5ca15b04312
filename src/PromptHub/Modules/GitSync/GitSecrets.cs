using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace PromptHub.Modules.GitSync;

/// <summary>
/// Tokens and webhook secrets at rest: ASP.NET Core Data Protection payloads, under the key ring the Access
/// module keeps in the database, so that every instance can read what another wrote.
/// </summary>
sealed class GitSecrets(IDataProtectionProvider provider)
{
    readonly IDataProtector _protector = provider.CreateProtector("PromptHub.GitSync.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string? Unprotect(string? protectedSecret) => protectedSecret is null ? null : _protector.Unprotect(protectedSecret);

    /// <summary>A new webhook secret: 32 random bytes, hex.</summary>
    public static string NewWebhookSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    /// <summary>GitHub's `X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;`, compared in constant time.</summary>
    public static bool IsValidSignature(string secret, byte[] body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(7));
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>GitLab's `X-Gitlab-Token` (the secret itself, over TLS), compared in constant time.</summary>
    public static bool IsValidToken(string secret, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(header));
}

using System.Security.Cryptography;
using System.Text;

namespace PromptHub.Modules.Access;

/// <summary>
/// A key of one project. Only the SHA-256 of the secret is stored: secrets are 256 random bits, so
/// a fast hash is enough (no dictionary to guess from) and keeps authentication cheap on every request.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>
    /// Not a secret: names the key beside its secret where a client sends both, as Langfuse's SDKs do
    /// (Basic auth `publicId:secret`). Shown at creation and in listings.
    /// </summary>
    public string PublicId { get; private set; } = "";
    public ApiKeyRole Role { get; private set; }
    public byte[] SecretHash { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>A new key and its secret, which exists only in this answer.</summary>
    public static (ApiKey Key, string Secret) Create(Guid projectId, string name, ApiKeyRole role, DateTimeOffset now, string? secret = null)
    {
        secret ??= "phk_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = projectId,
            Name = name,
            PublicId = NewPublicId(),
            Role = role,
            SecretHash = Hash(secret),
            CreatedAt = now,
        };
        return (key, secret);
    }

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    public const string PublicIdPrefix = "pk-ph-";

    /// <summary>`pk-ph-` and 32 hex digits, shaped like Langfuse's public keys so that tools expecting one accept it.</summary>
    public static string NewPublicId() => PublicIdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using Microsoft.Extensions.Options;

namespace PromptHub.Platform;

/// <summary>
/// The installation's top-level settings (`PromptHub:…`), bound and checked in one place; each module's own
/// settings live in its options class (`PromptHub:Serving`, `PromptHub:Jobs`…). An unusable value stops the
/// start with one line naming the setting, never its value.
/// </summary>
public sealed class PromptHubOptions
{
    public const string Section = "PromptHub";
    public const int MinimumAdminKeyLength = 32;
    /// <summary>Values that were ever shown in docker-compose.yml or the README: public, so never a working key.</summary>
    static readonly string[] AdminKeyPlaceholders = ["change-me", "changeme", "your admin key", "a long random secret"];

    /// <summary>Apply pending migrations at start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>The secret of project `default`'s first admin key, at first start; empty: a new one, printed once.</summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>Give each new project a few example prompts.</summary>
    public bool SeedExamples { get; set; } = true;

    /// <summary>The database password, given apart from the connection string (see PostgresServer).</summary>
    public string? DatabasePassword { get; set; }

    public EmbeddedDatabaseOptions EmbeddedDatabase { get; set; } = new();

    /// <summary>`production` announces in Discord; also read from the `ENVIRONMENT` variable when this is not set.</summary>
    public string? DeploymentEnvironment { get; set; }

    /// <summary>Where PromptHub is reachable, for links in announcements; empty: no links.</summary>
    public string? PublicUrl { get; set; }

    public IEnumerable<string> Problems()
    {
        if (!string.IsNullOrEmpty(BootstrapAdminKey))
        {
            var problem = AdminKeyPlaceholders.Any(p => BootstrapAdminKey.Contains(p, StringComparison.OrdinalIgnoreCase))
                ? "is a documented placeholder, so anyone could use it"
                : BootstrapAdminKey.Length < MinimumAdminKeyLength ? $"is shorter than {MinimumAdminKeyLength} characters" : null;
            if (problem is not null)
            {
                yield return $"PromptHub:BootstrapAdminKey {problem}: set a random secret of at least {MinimumAdminKeyLength} characters " +
                    "(e.g. openssl rand -hex 24), or leave it empty to have one generated.";
            }
        }
    }
}

public sealed class EmbeddedDatabaseOptions
{
    /// <summary>The embedded cluster's folder; default `.prompthub/pg` at the repository root.</summary>
    public string? DataDirectory { get; set; }
}

sealed class PromptHubOptionsValidation : IValidateOptions<PromptHubOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptHubOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

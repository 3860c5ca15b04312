using Microsoft.Extensions.Options;
using PromptHub.Platform;

namespace PromptHub.Modules.Notifications;

/// <summary>
/// Whether this deployment announces anything: only the production one
/// (`PromptHub:DeploymentEnvironment`, or the `ENVIRONMENT` variable, is `production`), and only with a webhook.
/// </summary>
public sealed class NotificationSwitch(IOptions<PromptHubOptions> settings, IOptions<DiscordOptions> options)
{
    // The variable itself, not configuration["ENVIRONMENT"]: ASP.NET Core strips the ASPNETCORE_ and DOTNET_
    // prefixes into that same key (and the host's `environment` setting matches it, keys being case-blind),
    // so ASPNETCORE_ENVIRONMENT=Production, which container images set, would switch announcements on.
    public string DeploymentEnvironment { get; } =
        (settings.Value.DeploymentEnvironment ?? Environment.GetEnvironmentVariable("ENVIRONMENT") ?? "").Trim();

    public bool IsProduction => string.Equals(DeploymentEnvironment, "production", StringComparison.OrdinalIgnoreCase);

    public bool Enabled => IsProduction && options.Value.Webhooks().Count > 0;

    /// <summary>Why notifications are off, said once at start-up; null when they are on.</summary>
    public string? WhyOff =>
        !IsProduction ? $"Discord notifications are off: the deployment environment is '{(DeploymentEnvironment.Length == 0 ? "(not set)" : DeploymentEnvironment)}', and only 'production' announces (PromptHub:DeploymentEnvironment or ENVIRONMENT)"
        : options.Value.Webhooks().Count == 0 ? "Discord notifications are off: no webhook is configured (PromptHub:Discord:WebhookUrl)"
        : null;
}

using Microsoft.Extensions.Options;
using System.Net;

namespace PromptHub.Modules.Notifications;

/// <summary>A Discord webhook: its name (what the outbox and the API show) and its URL (a secret).</summary>
public sealed class WebhookRoute
{
    public string Name { get; set; } = "";
    public string WebhookUrl { get; set; } = "";
    /// <summary>Prompts with this tag go here…</summary>
    public string? Tag { get; set; }
    /// <summary>…or prompts in this folder (`support` matches `support/triage`).</summary>
    public string? Folder { get; set; }
}

/// <summary>`PromptHub:Discord`: the default webhook and the routes that send some prompts elsewhere.</summary>
public sealed class DiscordOptions
{
    public string? WebhookUrl { get; set; }
    public List<WebhookRoute> Routes { get; set; } = [];
    /// <summary>Also announce moves of the `production` label (activations and rollbacks).</summary>
    public bool AnnounceProductionLabelMoves { get; set; }
    /// <summary>Also announce experiments that stop, with their winner.</summary>
    public bool AnnounceExperimentEnds { get; set; }
    /// <summary>Attempts before a message is dead (visible, retryable by hand).</summary>
    public int MaxAttempts { get; set; } = 8;
    /// <summary>Username the messages are posted as.</summary>
    public string Username { get; set; } = "PromptHub";
    /// <summary>Longest wait for one answer from Discord.</summary>
    public int TimeoutSeconds { get; set; } = 10;
    /// <summary>Immediate retries of a network error, timeout or 5xx before the outbox reschedules the message.</summary>
    public int QuickRetries { get; set; } = 3;
    public int QuickRetryDelayMilliseconds { get; set; } = 500;

    public const string DefaultRoute = "default";

    /// <summary>Every configured webhook, the default one first, by name.</summary>
    public IReadOnlyList<WebhookRoute> Webhooks() =>
        [.. string.IsNullOrWhiteSpace(WebhookUrl) ? [] : new[] { new WebhookRoute { Name = DefaultRoute, WebhookUrl = WebhookUrl } }, .. Routes];

    /// <summary>The route of a prompt: the first whose tag or folder matches, else the default (null when none).</summary>
    public string? RouteFor(string promptName, IReadOnlyCollection<string> tags)
    {
        foreach (var route in Routes)
        {
            if (route.Tag is not null && tags.Contains(route.Tag)) return route.Name;
            if (route.Folder is not null && promptName.StartsWith(route.Folder.TrimEnd('/') + "/", StringComparison.Ordinal)) return route.Name;
        }
        return string.IsNullOrWhiteSpace(WebhookUrl) ? null : DefaultRoute;
    }

    /// <summary>
    /// Start-up check: every webhook URL is absolute https (or http to a loopback address, for local
    /// fakes), every route has a name, a URL and a tag or folder. Messages never repeat a URL.
    /// </summary>
    public IEnumerable<string> Problems()
    {
        if (!string.IsNullOrWhiteSpace(WebhookUrl) && UrlProblem(WebhookUrl) is { } problem)
        {
            yield return $"PromptHub:Discord:WebhookUrl {problem}";
        }
        var names = new HashSet<string>(StringComparer.Ordinal) { DefaultRoute };
        for (var i = 0; i < Routes.Count; i++)
        {
            var route = Routes[i];
            var at = $"PromptHub:Discord:Routes:{i}";
            if (string.IsNullOrWhiteSpace(route.Name) || route.Name.Length > 64) yield return $"{at}:Name is required (up to 64 characters)";
            else if (!names.Add(route.Name)) yield return $"{at}:Name '{route.Name}' is used twice (or is the reserved '{DefaultRoute}')";
            if (UrlProblem(route.WebhookUrl) is { } urlProblem) yield return $"{at}:WebhookUrl {urlProblem}";
            if (route.Tag is null && route.Folder is null) yield return $"{at} needs a Tag or a Folder to match prompts";
        }
        if (MaxAttempts is < 1 or > 100) yield return "PromptHub:Discord:MaxAttempts must be between 1 and 100";
        if (QuickRetries is < 0 or > 10) yield return "PromptHub:Discord:QuickRetries must be between 0 and 10";
        if (TimeoutSeconds is < 1 or > 300) yield return "PromptHub:Discord:TimeoutSeconds must be between 1 and 300";
        if (QuickRetryDelayMilliseconds is < 1 or > 60_000) yield return "PromptHub:Discord:QuickRetryDelayMilliseconds must be between 1 and 60000";
    }

    static string? UrlProblem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "is not an absolute URL";
        if (uri.Scheme == Uri.UriSchemeHttps) return null;
        if (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)))) return null;
        return "must use https (plain http only to a loopback address, for local fakes)";
    }

    /// <summary>The URL as it may be shown: scheme, host and webhook id, never the token.</summary>
    public static string Mask(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "(invalid URL)";
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var id = segments.Length >= 2 ? segments[^2] : "…";
        return $"{uri.Scheme}://{uri.Authority}/…/{id}/****";
    }
}

sealed class DiscordOptionsValidation : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

using System.Net;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.GitSync;

/// <summary>What a git source may point at: https anywhere; http and file only on this machine (tests, local mirrors).</summary>
static class GitSourceRules
{
    public static (string Url, string Branch, string Path, string[] Labels) Validate(GitSourceRequest request)
    {
        var validation = new Validation();
        if (UrlError(request.Url) is { } urlError) validation.Add("url", urlError);
        var branch = request.Branch ?? "main";
        if (BranchError(branch) is { } branchError) validation.Add("branch", branchError);
        var path = (request.Path ?? "").Trim('/');
        if (PathError(path) is { } pathError) validation.Add("path", pathError);
        validation.Check(request.Username is null || (request.Username.Length <= 200 && !request.Username.Any(char.IsControl)), "username",
                "must be at most 200 characters, without control characters")
            .Check(request.Token is null || (request.Token.Length <= 2000 && !request.Token.Any(char.IsControl)), "token",
                "must be at most 2000 characters, without control characters")
            .Check(request.WebhookSecret is null || request.WebhookSecret.Length is >= 16 and <= 200, "webhookSecret", "must be 16 to 200 characters")
            .Check(request.Labels is null || request.Labels.Length <= VersionRequest.MaxLabels, "labels", $"must have at most {VersionRequest.MaxLabels} labels");
        foreach (var label in request.Labels ?? [])
        {
            if (PromptRules.LabelError(label, forMove: true) is { } error) validation.Add("labels", $"'{label}' {error}");
        }
        validation.ThrowIfInvalid();
        return (request.Url!, branch, path, (request.Labels ?? ["staging"]).Distinct(StringComparer.Ordinal).ToArray());
    }

    static string? UrlError(string? url)
    {
        if (string.IsNullOrEmpty(url)) return "is required (https://…, or http:// or file:// on this machine)";
        if (url.Length > GitSource.MaxUrlLength) return $"must be at most {GitSource.MaxUrlLength} characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "must be an absolute URL such as https://github.com/acme/prompts.git (ssh and scp-style addresses are not supported)";
        if (uri.UserInfo.Length > 0) return "must not hold credentials: give them as username and token, which are stored encrypted";
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0) return "must not have a query or fragment";
        return uri.Scheme switch
        {
            "https" => null,
            "http" when IsLoopback(uri) => null,
            "http" => "may be http:// only on this machine (localhost, 127.0.0.1, [::1]); use https://",
            "file" when uri.Host.Length == 0 || uri.Host == "localhost" => null,
            "file" => "may be file:// only on this machine (file:///path)",
            _ => $"must be https:// (or http:// or file:// on this machine), not {uri.Scheme}://",
        };
    }

    static bool IsLoopback(Uri uri) =>
        uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Git's rules for a branch name (git check-ref-format), the ones that matter here.</summary>
    static string? BranchError(string branch)
    {
        if (branch.Length is 0 or > GitSource.MaxBranchLength) return $"must be 1 to {GitSource.MaxBranchLength} characters";
        if (branch.Contains("..", StringComparison.Ordinal)) return "must not contain '..'";
        if (branch.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || "~^:?*[\\".Contains(c)) || branch.Contains("@{", StringComparison.Ordinal)
            || branch.Contains("//", StringComparison.Ordinal) || branch.StartsWith('-') || branch.StartsWith('/') || branch.EndsWith('/')
            || branch.EndsWith('.') || branch.EndsWith(".lock", StringComparison.Ordinal))
        {
            return "is not a valid git branch name";
        }
        return null;
    }

    static string? PathError(string path)
    {
        if (path.Length > GitSource.MaxPathLength) return $"must be at most {GitSource.MaxPathLength} characters";
        if (path.Length == 0) return null;
        var segments = path.Split('/');
        if (segments.Any(s => s is "" or "." or "..")) return "must be a folder of the repository, without '..', '.' or empty segments";
        if (path.Any(c => char.IsControl(c) || c == '\\')) return "must not contain control characters or backslashes";
        return null;
    }
}

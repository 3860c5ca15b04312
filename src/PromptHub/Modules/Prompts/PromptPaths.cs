using Microsoft.AspNetCore.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// Prompt names contain slashes. Routes take them URL-encoded (`support%2Ftriage`) or plainly
/// (`/prompts/support/triage/versions`): this middleware, before routing, turns the plain form into
/// the encoded one by finding the action at the end of the path (`versions`, `labels/{label}`…),
/// so every endpoint has one `{name}` segment and one Swagger entry. A name ending in an action word
/// (a prompt called `x/versions`) must be sent encoded.
/// </summary>
static class PromptPaths
{
    const string Root = "/api/v1/prompts/";
    /// <summary>Paths that end with a prompt name and nothing after it.</summary>
    static readonly string[] NameOnlyRoots = ["/api/v1/analytics/prompts/"];

    public static Task Rewrite(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        foreach (var root in NameOnlyRoots)
        {
            if (path is not null && path.StartsWith(root, StringComparison.OrdinalIgnoreCase) && path.AsSpan(root.Length).Contains('/'))
            {
                context.Request.Path = new PathString(root + path[root.Length..].Replace("/", "%2F", StringComparison.Ordinal));
                return next(context);
            }
        }
        if (path is not null && path.StartsWith(Root, StringComparison.OrdinalIgnoreCase) && !IsPlainName(path.AsSpan(Root.Length)))
        {
            var segments = path[Root.Length..].Split('/');
            if (segments.Length > 1)
            {
                var action = ActionStart(segments);
                if (action > 1)
                {
                    var name = string.Join("%2F", segments[..action]);
                    var rest = action < segments.Length ? "/" + string.Join('/', segments[action..]) : "";
                    context.Request.Path = new PathString(Root + name + rest);
                }
            }
        }
        return next(context);
    }

    /// <summary>`name` or `name/resolve` (the serving path), where nothing needs rewriting.</summary>
    static bool IsPlainName(ReadOnlySpan<char> tail)
    {
        var slash = tail.IndexOf('/');
        if (slash < 0) return true;
        var rest = tail[(slash + 1)..];
        return rest is "resolve" or "render" or "versions";
    }

    /// <summary>Where the action starts (the shortest matching tail), or the length when the whole path is a name.</summary>
    static int ActionStart(string[] segments)
    {
        for (var i = segments.Length - 1; i >= 1; i--)
        {
            if (IsAction(segments.AsSpan(i))) return i;
        }
        return segments.Length;
    }

    static bool IsAction(ReadOnlySpan<string> tail) => tail[0] switch
    {
        "versions" => tail.Length == 1 || tail.Length == 2 || (tail.Length == 3 && tail[2] == "diff"),
        "labels" => tail.Length == 2 || (tail.Length == 3 && tail[2] is "rollback" or "history" or "rollout")
                    || (tail.Length == 4 && tail[2] == "rollout" && tail[3] is "complete" or "abort"),
        "resolve" or "render" => tail.Length == 1,
        _ => false,
    };
}

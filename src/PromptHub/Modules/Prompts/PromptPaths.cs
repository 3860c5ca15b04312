using Microsoft.AspNetCore.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// Prompt names contain slashes. Routes take them URL-encoded (`support%2Ftriage`) or plainly
/// (`/prompts/support/triage/versions`): this middleware, before routing, turns the plain form into
/// the encoded one by finding the action at the end of the path (`versions`, `labels/{label}`…), so
/// every endpoint has one `{name}` segment and one Swagger entry. Each module names its own actions
/// (<see cref="PromptRoutes"/>). A name ending in an action word (a prompt called `x/versions`) must be
/// sent encoded.
/// </summary>
sealed class PromptPaths
{
    const string Root = "/api/v1/prompts/";
    readonly string[] _nameRoutes;
    /// <summary>Each action as its segments, `*` standing for one route value.</summary>
    readonly string[][] _actions;
    /// <summary>One-segment actions (`resolve`, `versions`): `name/resolve` needs no rewrite, on the serving hot path.</summary>
    readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _plainActions;

    public PromptPaths(IEnumerable<PromptRoute> routes)
    {
        var all = routes.ToList();
        _nameRoutes = [.. all.Where(r => r.IsNameRoute).Select(r => r.Pattern)];
        _actions = [.. all.Where(r => !r.IsNameRoute).Select(r => r.Pattern.Split('/'))];
        _plainActions = _actions.Where(a => a.Length == 1).Select(a => a[0]).ToHashSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Task Rewrite(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is null) return next(context);
        foreach (var root in _nameRoutes)
        {
            if (path.StartsWith(root, StringComparison.OrdinalIgnoreCase) && path.AsSpan(root.Length).Contains('/'))
            {
                context.Request.Path = new PathString(root + path[root.Length..].Replace("/", "%2F", StringComparison.Ordinal));
                return next(context);
            }
        }
        if (path.StartsWith(Root, StringComparison.OrdinalIgnoreCase) && !IsPlainName(path.AsSpan(Root.Length)))
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

    /// <summary>`name` or `name/resolve` (one segment, then a one-segment action), where nothing needs rewriting.</summary>
    bool IsPlainName(ReadOnlySpan<char> tail)
    {
        var slash = tail.IndexOf('/');
        return slash < 0 || _plainActions.Contains(tail[(slash + 1)..]);
    }

    /// <summary>Where the action starts (the shortest matching tail), or the length when the whole path is a name.</summary>
    int ActionStart(string[] segments)
    {
        for (var i = segments.Length - 1; i >= 1; i--)
        {
            if (IsAction(segments.AsSpan(i))) return i;
        }
        return segments.Length;
    }

    bool IsAction(ReadOnlySpan<string> tail)
    {
        foreach (var action in _actions)
        {
            if (action.Length != tail.Length) continue;
            var matches = true;
            for (var i = 0; i < action.Length && matches; i++) matches = action[i] == "*" || action[i] == tail[i];
            if (matches) return true;
        }
        return false;
    }
}

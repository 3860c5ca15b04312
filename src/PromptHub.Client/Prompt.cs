using System.Text.Json;

namespace PromptHub.Client;

/// <summary>A chat message: its role (<c>system</c>, <c>user</c>, <c>assistant</c>…) and content.</summary>
public sealed record PromptMessage(string Role, string Content);

/// <summary>The experiment variant a subject was assigned to, as the server's resolve names it.</summary>
public sealed record ExperimentVariant(string Key, string Variant);

/// <summary>Where a <see cref="Prompt"/> came from.</summary>
public enum PromptSource
{
    /// <summary>Fetched from the server by this call.</summary>
    Server,
    /// <summary>From the client's cache, younger than the TTL.</summary>
    Cache,
    /// <summary>From the cache past its TTL: served at once while a background refresh runs (or while the server is down).</summary>
    StaleCache,
    /// <summary>The fallback given to the call.</summary>
    CallFallback,
    /// <summary>The fallback in configuration (<c>PromptHub:Fallbacks:{name}</c>).</summary>
    ConfiguredFallback,
    /// <summary>The default fallback shipped with the service (<see cref="PromptHubClientOptions.DefaultFallbacks"/>).</summary>
    DefaultFallback,
}

/// <summary>
/// A prompt version to use now: the label's target, or the experiment variant of the subject. Render it locally
/// with <see cref="Render(object?)"/> (text) or <see cref="RenderMessages(object?)"/> (chat).
/// </summary>
public sealed class Prompt
{
    readonly PromptContent _content;
    readonly PromptRenderer _renderer;

    internal Prompt(string name, int? version, string? label, ExperimentVariant? experiment, string? subject, PromptSource source,
        PromptContent content, PromptRenderer renderer, DateTimeOffset? fetchedAt)
    {
        (Name, Version, Label, Experiment, Subject, Source, _content, _renderer, FetchedAt) =
            (name, version, label, experiment, subject, source, content, renderer, fetchedAt);
    }

    /// <summary>The prompt's name, e.g. <c>support/triage</c>.</summary>
    public string Name { get; }

    /// <summary>The version served; null for a fallback.</summary>
    public int? Version { get; }

    /// <summary>The label asked for.</summary>
    public string? Label { get; }

    /// <summary>The experiment and variant the subject was assigned to, or null.</summary>
    public ExperimentVariant? Experiment { get; }

    /// <summary>The subject asked for (the unit of assignment: a user, an account…).</summary>
    public string? Subject { get; }

    /// <summary>Where it came from: the server, the cache, or a fallback.</summary>
    public PromptSource Source { get; }

    /// <summary>True for a fallback (never fetched from the server).</summary>
    public bool IsFallback => Source is PromptSource.CallFallback or PromptSource.ConfiguredFallback or PromptSource.DefaultFallback;

    /// <summary>When the content was last confirmed by the server; null for a fallback.</summary>
    public DateTimeOffset? FetchedAt { get; }

    /// <summary><c>text</c> or <c>chat</c>.</summary>
    public string Type => _content.Template is null ? "chat" : "text";

    /// <summary>How the version's templates are written: <c>scriban</c> (the default) or <c>liquid</c>.</summary>
    public string TemplateFormat => _content.Format;

    /// <summary>The template of a text prompt (includes already expanded by the server).</summary>
    public string? Template => _content.Template;

    /// <summary>The messages of a chat prompt, not rendered.</summary>
    public IReadOnlyList<PromptMessage>? Messages => _content.Messages;

    /// <summary>The version's config (model, temperature…); an empty object when it has none.</summary>
    public JsonElement Config => _content.Config;

    /// <summary>The names of the variables the template uses, as the server lists them (empty for a fallback).</summary>
    public IReadOnlyList<string> Variables => _content.Variables;

    /// <summary>The config's <c>model</c>, when it has one.</summary>
    public string? Model => Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
        ? model.GetString()
        : null;

    /// <summary>
    /// Renders a text prompt with <paramref name="variables"/> (an object, a dictionary or a <see cref="JsonElement"/>,
    /// turned into JSON with camelCase names as PromptHub's API would receive it), locally, with Scriban as the server does.
    /// A missing variable renders empty unless <see cref="PromptHubClientOptions.StrictRendering"/> is on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The prompt is a chat prompt (use <see cref="RenderMessages(object?)"/>).</exception>
    /// <exception cref="PromptRenderException">The template does not compile, or (strict mode) a variable is missing.</exception>
    public string Render(object? variables = null)
    {
        if (_content.Template is null) throw new InvalidOperationException($"'{Name}' is a chat prompt: render it with RenderMessages.");
        return _renderer.Render(_content.ParsedTemplate, _content.IsLiquid, PromptRenderer.ToData(variables), "template");
    }

    /// <summary>Renders each message of a chat prompt (see <see cref="Render(object?)"/>); a text prompt gives one <c>user</c> message.</summary>
    public IReadOnlyList<PromptMessage> RenderMessages(object? variables = null)
    {
        var data = PromptRenderer.ToData(variables);
        if (_content.Template is not null) return [new PromptMessage("user", _renderer.Render(_content.ParsedTemplate, _content.IsLiquid, data, "template"))];
        var parsed = _content.ParsedMessages;
        var rendered = new PromptMessage[parsed.Count];
        for (var i = 0; i < parsed.Count; i++)
        {
            rendered[i] = new PromptMessage(_content.Messages![i].Role, _renderer.Render(parsed[i], _content.IsLiquid, data, $"messages[{i}].content"));
        }
        return rendered;
    }

    internal PromptContent Content => _content;
}

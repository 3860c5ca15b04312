using System.Text.Json;

namespace PromptHub.Client;

/// <summary>
/// What to serve when a prompt was never fetched and the server cannot be reached: a template (text prompt)
/// or messages (chat prompt), with an optional config.
/// </summary>
public sealed class FallbackPrompt
{
    FallbackPrompt(string? template, IReadOnlyList<PromptMessage>? messages, JsonElement? config) =>
        (Template, Messages, Config) = (template, messages, config);

    /// <summary>The template of a text prompt.</summary>
    public string? Template { get; }

    /// <summary>The messages of a chat prompt.</summary>
    public IReadOnlyList<PromptMessage>? Messages { get; }

    /// <summary>Model settings to use with it, as the server's <c>config</c> would give them.</summary>
    public JsonElement? Config { get; }

    /// <summary>A text prompt's template.</summary>
    public static FallbackPrompt Text(string template, object? config = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new(template, null, ToConfig(config));
    }

    /// <summary>A chat prompt's messages.</summary>
    public static FallbackPrompt Chat(IEnumerable<PromptMessage> messages, object? config = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return new(null, [.. messages], ToConfig(config));
    }

    static JsonElement? ToConfig(object? config) => config switch
    {
        null => null,
        JsonElement element => element.Clone(),
        _ => JsonSerializer.SerializeToElement(config, PromptJson.Options),
    };
}

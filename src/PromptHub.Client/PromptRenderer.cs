using System.Text.Json;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace PromptHub.Client;

/// <summary>
/// Renders templates locally with Scriban (or its Liquid parser, per version), set up as the server's
/// render: only JSON data reaches a template, no HTML escaping, the builtins that evaluate text removed,
/// loops, recursion, output and time capped with the server's default limits. Lenient by default (a
/// missing variable or member renders empty); strict like the server when asked.
/// </summary>
sealed class PromptRenderer(bool strict)
{
    const int LoopLimit = 1_000;
    const int RecursiveLimit = 100;
    const int OutputLimit = 1_000_000;
    static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(2);

    public bool Strict { get; } = strict;

    public static bool IsLiquid(string? format) => string.Equals(format, "liquid", StringComparison.Ordinal);

    public static Template Parse(string text, bool liquid, string field)
    {
        var template = liquid ? Template.ParseLiquid(text) : Template.Parse(text);
        if (template.HasErrors)
        {
            throw new PromptRenderException($"The {field} does not compile: " +
                string.Join("; ", template.Messages.Select(m => $"{m.Message} (line {m.Span.Start.Line + 1}, column {m.Span.Start.Column + 1})")));
        }
        return template;
    }

    /// <summary>JSON of the variables, with the API's camelCase names; the root must be an object.</summary>
    public static JsonElement ToData(object? variables)
    {
        var element = variables switch
        {
            null => default,
            JsonElement json => json,
            JsonDocument document => document.RootElement,
            _ => JsonSerializer.SerializeToElement(variables, variables.GetType(), PromptJson.Options),
        };
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The variables must be an object of name → value (an anonymous object, a class, a dictionary or a JSON object).", nameof(variables));
        }
        return element;
    }

    public string Render(Template template, bool liquid, JsonElement data, string field)
    {
        var context = liquid ? new LiquidTemplateContext() : new TemplateContext();
        context.StrictVariables = Strict;
        context.EnableRelaxedMemberAccess = !Strict;
        context.LoopLimit = LoopLimit;
        context.RecursiveLimit = RecursiveLimit;
        context.OutputLimit = OutputLimit;
        context.OnOutputLimit = ScriptLimitBehavior.Throw;
        context.RegexTimeOut = RenderTimeout;
        if (context.BuiltinObject.TryGetValue("object", out var builtin) && builtin is ScriptObject objects)
        {
            objects.Remove("eval");
            objects.Remove("eval_template");
        }
        context.BuiltinObject.Remove("include_join");
        // Includes arrive already expanded by the server: there is nothing to load.
        using var timeout = new CancellationTokenSource(RenderTimeout);
        context.CancellationToken = timeout.Token;

        var globals = new ScriptObject();
        if (data.ValueKind == JsonValueKind.Object) globals.Import(data);
        context.PushGlobal(globals);
        context.PushGlobal(new ScriptObject()); // the template's own assignments land here, not in the data
        try
        {
            return template.Render(context);
        }
        catch (ScriptAbortException)
        {
            throw new PromptRenderException($"Rendering the {field} took longer than {RenderTimeout.TotalSeconds:0} s and was stopped.");
        }
        catch (ScriptRuntimeException e)
        {
            throw new PromptRenderException($"The {field} could not be rendered: {e.OriginalMessage} (line {e.Span.Start.Line + 1}, column {e.Span.Start.Column + 1}).", e);
        }
    }
}

/// <summary>A version's content as served, with its templates parsed once, when first rendered.</summary>
sealed class PromptContent
{
    readonly Lazy<Template>? _template;
    readonly Lazy<IReadOnlyList<Template>>? _messages;

    public PromptContent(string? template, IReadOnlyList<PromptMessage>? messages, JsonElement config, IReadOnlyList<string> variables, string? format)
    {
        (Template, Messages, Config, Variables) = (template, messages, config, variables);
        Format = PromptRenderer.IsLiquid(format) ? "liquid" : "scriban";
        IsLiquid = Format == "liquid";
        if (template is not null) _template = new(() => PromptRenderer.Parse(template, IsLiquid, "template"));
        else _messages = new(() => [.. (messages ?? []).Select((m, i) => PromptRenderer.Parse(m.Content, IsLiquid, $"messages[{i}].content"))]);
    }

    /// <summary><c>scriban</c> or <c>liquid</c>.</summary>
    public string Format { get; }
    public bool IsLiquid { get; }

    public string? Template { get; }
    public IReadOnlyList<PromptMessage>? Messages { get; }
    public JsonElement Config { get; }
    public IReadOnlyList<string> Variables { get; }

    public Template ParsedTemplate => _template!.Value;
    public IReadOnlyList<Template> ParsedMessages => _messages!.Value;

    public static readonly JsonElement EmptyConfig = JsonDocument.Parse("{}").RootElement.Clone();

    public static PromptContent From(FallbackPrompt fallback) =>
        new(fallback.Template, fallback.Messages, fallback.Config ?? EmptyConfig, [], "scriban");
}

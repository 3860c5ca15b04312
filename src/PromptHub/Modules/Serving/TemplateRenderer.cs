using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HandlebarsDotNet;
using HandlebarsDotNet.Compiler;
using HandlebarsDotNet.IO;
using Microsoft.Extensions.Options;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Serving;

/// <summary>
/// Renders templates with Handlebars.Net: strict (an unknown name is an error, never an empty
/// string), no HTML escaping (prompts are not HTML), values of any JSON type, compiled once per
/// template text. Output is capped in size and time, so no template can exhaust the server.
/// </summary>
sealed class TemplateRenderer(IOptions<ServingOptions> options)
{
    const int MaxCompiled = 10_000;
    static readonly IHandlebars Handlebars = HandlebarsDotNet.Handlebars.Create(CreateConfiguration());
    readonly ConcurrentDictionary<string, HandlebarsTemplate<TextWriter, object, object>> _compiled = new(StringComparer.Ordinal);

    static HandlebarsConfiguration CreateConfiguration()
    {
        var configuration = new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = true, NoEscape = true };
        configuration.FormatterProviders.Add(new JsonStyleBooleans());
        return configuration;
    }

    /// <summary>The caller's variables as plain .NET values: objects, arrays, strings, numbers, booleans, null.</summary>
    public static Dictionary<string, object?> ToData(JsonElement variables)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in variables.EnumerateObject()) data[property.Name] = ToValue(property.Value);
        return data;
    }

    static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToData(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public string Render(string template, Dictionary<string, object?> data, string field)
    {
        var compiled = Compile(template);
        var limits = options.Value;
        using var output = new CappedWriter(limits.MaxRenderedCharacters, TimeSpan.FromMilliseconds(limits.RenderTimeoutMilliseconds));
        try
        {
            compiled(output, data, null!);
        }
        catch (HandlebarsUndefinedBindingException e)
        {
            throw ProblemException.Unprocessable($"{field}: {e.Message}: pass it in variables (null is a value).",
                new Dictionary<string, string[]> { ["variables"] = [e.Message] });
        }
        catch (HandlebarsException e)
        {
            throw ProblemException.Unprocessable($"{field} could not be rendered: {e.Message}");
        }
        return output.ToString();
    }

    HandlebarsTemplate<TextWriter, object, object> Compile(string template)
    {
        if (_compiled.TryGetValue(template, out var compiled)) return compiled;
        using var reader = new StringReader(template);
        compiled = Handlebars.Compile(reader);
        if (_compiled.Count >= MaxCompiled) _compiled.Clear();
        _compiled[template] = compiled;
        return compiled;
    }

    /// <summary>Writes `true`/`false` like JSON, not `True`/`False` like .NET.</summary>
    sealed class JsonStyleBooleans : IFormatterProvider, IFormatter
    {
        public bool TryCreateFormatter(Type type, out IFormatter formatter)
        {
            formatter = this;
            return type == typeof(bool);
        }

        public void Format<T>(T value, in EncodedTextWriter writer) => writer.Write(value is true ? "true" : "false", false);
    }

    /// <summary>A string writer that stops the render once the output is too long or it has run too long.</summary>
    sealed class CappedWriter(int maxCharacters, TimeSpan timeout) : StringWriter(new StringBuilder(), System.Globalization.CultureInfo.InvariantCulture)
    {
        readonly long _started = Stopwatch.GetTimestamp();

        public override void Write(char value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(char[] buffer, int index, int count)
        {
            base.Write(buffer, index, count);
            Check();
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            base.Write(buffer);
            Check();
        }

        void Check()
        {
            if (GetStringBuilder().Length > maxCharacters)
            {
                throw ProblemException.Unprocessable($"The rendered prompt is longer than {maxCharacters} characters.");
            }
            if (Stopwatch.GetElapsedTime(_started) > timeout)
            {
                throw ProblemException.Unprocessable($"Rendering took longer than {timeout.TotalMilliseconds} ms and was stopped.");
            }
        }
    }
}

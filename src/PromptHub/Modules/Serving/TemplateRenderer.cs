using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Http;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace PromptHub.Modules.Serving;

/// <summary>
/// Renders versions with Scriban (or its Liquid parser): strict (a name the data lacks is a 422 naming
/// it, never an empty string), no HTML escaping, only JSON-derived data (never .NET objects), each
/// version parsed once. Contexts are pooled and reused — a new one costs ~30 µs and 42 KB — and a
/// scratch global pushed over the data keeps a template's assignments from leaking into the next
/// render. Loops, recursion, output and time are capped (<see cref="ServingOptions"/>).
/// </summary>
sealed class TemplateRenderer
{
    readonly ServingOptions _limits;
    readonly ObjectPool<RenderSlot> _scriban;
    readonly ObjectPool<RenderSlot> _liquid;

    public TemplateRenderer(IOptions<ServingOptions> options, IncludeLoader includes)
    {
        _limits = options.Value;
        _scriban = new DefaultObjectPool<RenderSlot>(new SlotPolicy(TemplateFormat.Scriban, _limits, includes), Environment.ProcessorCount * 4);
        _liquid = new DefaultObjectPool<RenderSlot>(new SlotPolicy(TemplateFormat.Liquid, _limits, includes), Environment.ProcessorCount * 4);
    }

    /// <summary>The caller's variables as Scriban values: objects, arrays, strings, numbers (decimal), booleans, null.</summary>
    public static ScriptObject ToData(JsonElement variables)
    {
        var data = new ScriptObject();
        data.Import(variables);
        return data;
    }

    /// <param name="index">0 for a text prompt's template, else the message's index.</param>
    public string Render(ServedVersion version, int index, ScriptObject data, IncludeChain includes, string field)
    {
        var template = Parsed(version)[index];
        var pool = version.Format == TemplateFormat.Liquid ? _liquid : _scriban;
        var slot = pool.Get();
        var context = slot.Context;
        slot.Timeout.CancelAfter(_limits.RenderTimeoutMilliseconds); // the slot's own timer, re-armed: no new one per render
        context.CancellationToken = slot.Timeout.Token;
        context.Tags[IncludeLoader.Key] = includes;
        context.PushGlobal(data);
        context.PushGlobal(slot.Scratch);
        string text;
        try
        {
            text = template.Render(context);
        }
        catch (ScriptAbortException)
        {
            // A failed render may leave the context half-way (loops, outputs): it is dropped, not pooled again.
            throw ProblemException.Unprocessable($"{field}: rendering took longer than {_limits.RenderTimeoutMilliseconds} ms and was stopped.");
        }
        catch (ScriptRuntimeException e)
        {
            throw Failure(e, field);
        }
        context.PopGlobal();
        context.PopGlobal();
        slot.Scratch.Clear();
        context.Tags.Remove(IncludeLoader.Key);
        context.CancellationToken = CancellationToken.None;
        if (slot.Timeout.TryReset()) pool.Return(slot); // else the time ran out just after the render: the slot is dropped
        return text;
    }

    ProblemException Failure(ScriptRuntimeException e, string field)
    {
        var message = e.OriginalMessage;
        if (message.StartsWith("Rendered output exceeds OutputLimit", StringComparison.Ordinal))
        {
            return ProblemException.Unprocessable($"{field}: the rendered prompt is longer than {_limits.OutputLimit} characters.");
        }
        var (line, column) = (e.Span.Start.Line + 1, e.Span.Start.Column + 1);
        var where = IncludeLoader.Describe(e.Span.FileName) is { } included
            ? $"{included}, line {line}, column {column}"
            : $"line {line}, column {column}";
        var problem = ProblemException.Unprocessable($"{field} could not be rendered ({where}): {message}",
            new Dictionary<string, string[]> { ["variables"] = [$"{message} ({where})"] });
        problem.Extensions["line"] = line;
        problem.Extensions["column"] = column;
        problem.Extensions["field"] = field;
        return problem;
    }

    /// <summary>Parsed on first use and kept with the version (versions never change).</summary>
    static Template[] Parsed(ServedVersion version)
    {
        if (version.Parsed is { } parsed) return parsed;
        // A placeholder keeps its index with an empty template: render fills it from the request, not from here.
        var texts = version.Template is not null ? [version.Template] : version.Messages!.Select(m => m.Content ?? "");
        parsed = [.. texts.Select(text => TemplateLanguage.Parse(text, version.Format))];
        version.Parsed = parsed;
        return parsed;
    }

    /// <summary>A reusable context and the scratch global pushed over the data for one render.</summary>
    sealed class RenderSlot(TemplateContext context)
    {
        public TemplateContext Context { get; } = context;
        public ScriptObject Scratch { get; } = new();
        public CancellationTokenSource Timeout { get; } = new();
    }

    sealed class SlotPolicy(TemplateFormat format, ServingOptions limits, IncludeLoader includes) : PooledObjectPolicy<RenderSlot>
    {
        /// <summary>Included templates a context keeps parsed (keyed by project, prompt and version, so never stale).</summary>
        const int MaxCachedIncludes = 256;

        public override RenderSlot Create()
        {
            var context = TemplateLanguage.NewContext(format);
            context.LoopLimit = limits.LoopLimit;
            context.RecursiveLimit = limits.RecursiveLimit;
            context.OutputLimit = limits.OutputLimit;
            context.OnOutputLimit = ScriptLimitBehavior.Throw;
            context.RegexTimeOut = TimeSpan.FromMilliseconds(limits.RenderTimeoutMilliseconds);
            context.TemplateLoader = includes;
            return new RenderSlot(context);
        }

        public override bool Return(RenderSlot slot)
        {
            if (slot.Context.CachedTemplates.Count > MaxCachedIncludes) slot.Context.CachedTemplates.Clear();
            return true;
        }
    }
}

/// <summary>
/// `include` for templates: serves only the versions the include walk of this render found (put in the
/// context's tags), so a template reaches nothing else, and other projects' prompts never.
/// </summary>
sealed class IncludeLoader : ITemplateLoader
{
    public static readonly object Key = new();
    const string Separator = "#v";

    public string? GetPath(TemplateContext context, SourceSpan callerSpan, string templateName)
    {
        var include = PromptInclude.Parse(templateName);
        if (include is null || !Chain(context).Versions.TryGetValue(include.ToString(), out var version))
        {
            throw new ScriptRuntimeException(callerSpan, $"'{templateName}' is not a prompt this template includes");
        }
        return $"{version.ProjectId:N}/{version.Name}{Separator}{version.Version}";
    }

    public string? Load(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
        Chain(context).Versions.Values.First(v => $"{v.ProjectId:N}/{v.Name}{Separator}{v.Version}" == templatePath).Template;

    public ValueTask<string?> LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
        new(Load(context, callerSpan, templatePath));

    /// <summary>"included prompt 'name' (version 3)" for a path of ours, null for the template itself.</summary>
    public static string? Describe(string? path)
    {
        var at = path?.LastIndexOf(Separator, StringComparison.Ordinal) ?? -1;
        return at < 33 ? null : $"included prompt '{path![33..at]}' (version {path[(at + Separator.Length)..]})";
    }

    static IncludeChain Chain(TemplateContext context) =>
        context.Tags.TryGetValue(Key, out var chain) ? (IncludeChain)chain : IncludeChain.Empty;
}

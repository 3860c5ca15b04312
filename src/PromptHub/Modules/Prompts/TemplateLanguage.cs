using Scriban;
using Scriban.Runtime;

namespace PromptHub.Modules.Prompts;

/// <summary>How a version's templates are written: Scriban (the default), or Liquid for teams coming from Jinja2 or Liquid.</summary>
public enum TemplateFormat
{
    Scriban,
    Liquid,
}

/// <summary>
/// The template language as PromptHub offers it, in one place for upload checks and rendering: the
/// parser of each format, and a strict context whose builtins can read only what a static walk of
/// the template sees (no `object.eval`, no `include_join`).
/// </summary>
public static class TemplateLanguage
{
    public static readonly string[] FormatNames = ["scriban", "liquid"];

    static readonly Dictionary<TemplateFormat, HashSet<string>> BuiltinNames = new()
    {
        [TemplateFormat.Scriban] = [.. NewContext(TemplateFormat.Scriban).BuiltinObject.Keys],
        [TemplateFormat.Liquid] = [.. NewContext(TemplateFormat.Liquid).BuiltinObject.Keys],
    };

    public static string Name(TemplateFormat format) => format == TemplateFormat.Liquid ? "liquid" : "scriban";

    public static TemplateFormat? ParseName(string? name) => name switch
    {
        null or "scriban" => TemplateFormat.Scriban,
        "liquid" => TemplateFormat.Liquid,
        _ => null,
    };

    public static Template Parse(string text, TemplateFormat format, string? path = null) =>
        format == TemplateFormat.Liquid ? Template.ParseLiquid(text, path) : Template.Parse(text, path);

    /// <summary>Names a template reads from the builtins (`string`, `array`, `upcase`…), never from the caller's data.</summary>
    public static bool IsBuiltin(TemplateFormat format, string name) => BuiltinNames[format].Contains(name);

    /// <summary>
    /// A context that fails on any name the data lacks (top level or member) and offers no builtin that
    /// evaluates text as a template (which could read names no static walk can see).
    /// </summary>
    public static TemplateContext NewContext(TemplateFormat format)
    {
        var context = format == TemplateFormat.Liquid ? new LiquidTemplateContext() : new TemplateContext();
        context.StrictVariables = true;
        context.EnableRelaxedMemberAccess = false;
        if (context.BuiltinObject.TryGetValue("object", out var objects) && objects is ScriptObject functions)
        {
            functions.Remove("eval");
            functions.Remove("eval_template");
        }
        context.BuiltinObject.Remove("include_join");
        return context;
    }
}

using System.Text.RegularExpressions;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// Langfuse's way of composing prompts, `@@@langfusePrompt:name=X|label=Y@@@`, in an uploaded template:
/// rewritten to PromptHub's include of X at label Y before the template is analysed and stored, so that
/// prompts brought over from Langfuse compose as they did there. Langfuse's `version=N` form has no
/// PromptHub counterpart (includes follow labels, so that moving a label updates every includer).
/// </summary>
static partial class LangfuseReferenceTags
{
    public static bool Contains(string text) => text.Contains("@@@langfusePrompt:", StringComparison.Ordinal);

    /// <summary>The text with each tag replaced by an include; a malformed tag is reported on <paramref name="field"/>.</summary>
    public static string Rewrite(string text, TemplateFormat format, string field, Validation validation)
    {
        if (!Contains(text)) return text;
        return Tag().Replace(text, match =>
        {
            string? name = null, label = null;
            foreach (var pair in match.Groups["body"].Value.Split('|'))
            {
                var equals = pair.IndexOf('=');
                var (key, value) = equals < 0 ? (pair, "") : (pair[..equals], pair[(equals + 1)..]);
                switch (key)
                {
                    case "name": name = value; break;
                    case "label": label = value; break;
                    case "version":
                        validation.Add(field, $"'{match.Value}': PromptHub includes follow a label, not a version number; write label=… instead");
                        return match.Value;
                    default:
                        validation.Add(field, $"'{match.Value}': '{key}' is not part of a prompt reference (name=…|label=…)");
                        return match.Value;
                }
            }
            if (PromptRules.NameError(name) is { } nameError)
            {
                validation.Add(field, $"'{match.Value}': the name {nameError}");
                return match.Value;
            }
            if (label is null || PromptRules.LabelError(label, forMove: false) is not null)
            {
                validation.Add(field, $"'{match.Value}': needs label=… with a label of 1–36 characters of a-z, 0-9, '.', '_' and '-'");
                return match.Value;
            }
            return Include(new PromptInclude(name!, label), format);
        });
    }

    /// <summary>PromptHub's include tag for a reference, in the version's template format.</summary>
    static string Include(PromptInclude reference, TemplateFormat format) =>
        format == TemplateFormat.Liquid ? $"{{% include '{reference}' %}}" : $"{{{{ include '{reference}' }}}}";

    [GeneratedRegex("@@@langfusePrompt:(?<body>.*?)@@@")]
    private static partial Regex Tag();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>The checks of an upload's body (the record itself is published in PromptsContract.cs).</summary>
public sealed partial record VersionRequest
{
    public const int MaxTemplateLength = 200_000;
    public const int MaxMessages = 200;
    public const int MaxConfigBytes = 64 * 1024;
    public const int MaxCommitMessageLength = 2000;
    public const int MaxLabels = 20;
    public static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    /// <summary>400 naming every bad field, or 422 when a template does not compile.</summary>
    public (VersionContent Content, string? CommitMessage, IReadOnlyList<string> Labels) Validate(PromptType type)
    {
        var validation = new Validation();
        if (type == PromptType.Text)
        {
            validation.Check(Template is not null, "template", "is required for a text prompt")
                .Check(Template is null || Template.Length <= MaxTemplateLength, "template", $"must be at most {MaxTemplateLength} characters")
                .Check(Messages is null, "messages", "is only for chat prompts; a text prompt has a template");
        }
        else
        {
            validation.Check(Template is null, "template", "is only for text prompts; a chat prompt has messages")
                .Check(Messages is { Length: > 0 }, "messages", "is required for a chat prompt: at least one {role, content}")
                .Check(Messages is null || Messages.Length <= MaxMessages, "messages", $"must have at most {MaxMessages} messages");
            for (var i = 0; Messages is not null && i < Messages.Length; i++)
            {
                var message = Messages[i];
                validation.Check(message is not null, $"messages[{i}]", "must be an object {role, content}");
                if (message is null) continue;
                if (message.Type is not null)
                {
                    validation.Check(message.Type == ChatMessage.PlaceholderType, $"messages[{i}].type", "must be 'placeholder' (or left out for a message)")
                        .Check(message.Name is not null && PlaceholderName().IsMatch(message.Name), $"messages[{i}].name",
                            "must be 1–64 characters of A-Z, a-z, 0-9, '_' and '-', starting with a letter or '_'")
                        .Check(message.Role is null && message.Content is null, $"messages[{i}]", "a placeholder has only a type and a name");
                    continue;
                }
                validation.Check(message.Name is null, $"messages[{i}].name", "is only for placeholders ({type: \"placeholder\", name})");
                validation.Check(message.Role is not null && Roles.Contains(message.Role), $"messages[{i}].role", $"must be one of {string.Join(", ", Roles)}")
                    .Check(message.Content is not null, $"messages[{i}].content", "is required")
                    .Check(message.Content is null || message.Content.Length <= MaxTemplateLength, $"messages[{i}].content", $"must be at most {MaxTemplateLength} characters");
            }
        }
        var config = Config is null ? "{}" : VersionContent.CanonicalJson(Config);
        validation.Check(Config is null or JsonObject, "config", "must be a JSON object")
            .Check(config.Length <= MaxConfigBytes, "config", $"must be at most {MaxConfigBytes} bytes")
            .Check(CommitMessage is null || CommitMessage.Length <= MaxCommitMessageLength, "commitMessage", $"must be at most {MaxCommitMessageLength} characters")
            .Check(Labels is null || Labels.Length <= MaxLabels, "labels", $"must have at most {MaxLabels} labels")
            .Check(TemplateLanguage.ParseName(TemplateFormat) is not null, "templateFormat", $"must be one of {string.Join(", ", TemplateLanguage.FormatNames)}");
        foreach (var label in Labels ?? [])
        {
            var error = PromptRules.LabelError(label, forMove: true);
            if (error is not null) validation.Add("labels", $"'{label}' {error}");
        }
        validation.Check(Messages is null || Messages.Any(m => m?.Type is null), "messages", "must have at least one message besides placeholders");
        validation.ThrowIfInvalid();

        var format = TemplateLanguage.ParseName(TemplateFormat)!.Value;
        // Langfuse's references become PromptHub's includes before anything reads the templates.
        var template = Template is null ? null : LangfuseReferenceTags.Rewrite(Template, format, "template", validation);
        var messages = Messages?.Select((m, i) => m.Type is null
            ? new ChatMessage(m.Role!, LangfuseReferenceTags.Rewrite(m.Content!, format, $"messages[{i}].content", validation))
            : ChatMessage.Placeholder(m.Name!)).ToList();
        validation.ThrowIfInvalid();
        var (variables, includes) = AnalyzeTemplates(template, messages, format);
        var content = new VersionContent(type, format, template, messages, config, variables, includes);
        return (content, string.IsNullOrWhiteSpace(CommitMessage) ? null : CommitMessage.Trim(), (Labels ?? []).Distinct().ToList());
    }

    static (IReadOnlyList<string> Variables, IReadOnlyList<PromptInclude> IncludedPrompts) AnalyzeTemplates(string? template, List<ChatMessage>? messages, TemplateFormat format)
    {
        var sources = template is not null
            ? [("template", template)]
            : messages!.Select((m, i) => ($"messages[{i}].content", m.Content)).Where(m => m.Content is not null).Select(m => (m.Item1, m.Content!)).ToList();
        var variables = new SortedSet<string>(StringComparer.Ordinal);
        var includes = new List<PromptInclude>();
        foreach (var (field, text) in sources)
        {
            var analysis = TemplateAnalyzer.Analyze(text, format);
            if (analysis.Error is { } error)
            {
                var message = $"{error.Message} (line {error.Line}, column {error.Column})";
                throw new ProblemException(422, "The template does not compile", $"{field}: {message}.",
                    new Dictionary<string, string[]> { [field] = [message] })
                {
                    Extensions = { ["line"] = error.Line, ["column"] = error.Column, ["field"] = field },
                };
            }
            variables.UnionWith(analysis.Variables);
            includes.AddRange(analysis.IncludedPrompts);
        }
        return (variables.ToList(), includes.DistinctBy(r => r.ToString()).ToList());
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex PlaceholderName();
}

namespace PromptHub.Modules.Prompts;

/// <summary>
/// `{{ include 'other/prompt' }}` or `{{ include 'other/prompt@staging' }}` in a template: the text of another
/// (text) prompt, by label (`production` unless named; `latest` is the highest version), rendered where it stands.
/// </summary>
public sealed record PromptReference(string Name, string Label)
{
    public const int MaxDepth = 8;

    public override string ToString() => $"{Name}@{Label}";

    public static PromptReference? Parse(string text)
    {
        var at = text.LastIndexOf('@');
        var name = at < 0 ? text : text[..at];
        var label = at < 0 ? Prompts.Label.Production : text[(at + 1)..];
        return Prompt.NameError(name) is null && Prompts.Label.NameError(label, forMove: false) is null
            ? new PromptReference(name, label)
            : null;
    }
}

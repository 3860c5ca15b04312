using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Serving;

/// <summary>A version as served: its content, plus what serving computes from it once and keeps.</summary>
sealed class ServedVersion(int version, PromptType type, TemplateFormat format, string? template, IReadOnlyList<ChatMessage>? messages,
    string config, string[] variables, PromptInclude[] includes)
{
    public int Version { get; } = version;
    public PromptType Type { get; } = type;
    public TemplateFormat Format { get; } = format;
    public string? Template { get; } = template;
    public IReadOnlyList<ChatMessage>? Messages { get; } = messages;
    /// <summary>The config object as JSON text, written into answers as it is.</summary>
    public string Config { get; } = config;
    public string[] Variables { get; } = variables;
    public PromptInclude[] Includes { get; } = includes;

    /// <summary>The template, or each message's, parsed on the first render (<see cref="TemplateRenderer"/>).</summary>
    public Scriban.Template[]? Parsed { get; set; }

    /// <summary>Resolve answers already built for this version; they go with it when the prompt changes.</summary>
    public AnswerCache Answers { get; } = new();
}

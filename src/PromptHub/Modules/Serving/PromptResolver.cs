using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Serving;

/// <summary>Which version to use now, and why: a label's target, an explicit version, or an experiment's variant.</summary>
sealed record Resolution(ServedPrompt Prompt, ServedVersion Version, string? Label, ExperimentAssignment? Experiment)
{
    /// <summary>The key under which the built answer is kept on the version.</summary>
    public string AnswerKey => Experiment is null ? Label ?? "" : $"{Label}|{Experiment.Key}|{Experiment.Variant}";
}

/// <summary>
/// The content to serve for a resolution: includes replaced by the included prompts' text, the
/// variables of the whole, and the resolve answer as bytes with its ETag — built once per version
/// and way of asking, then reused until the prompt (or one it includes) changes.
/// </summary>
sealed record ResolvedContent(string? Template, IReadOnlyList<ChatMessage>? Messages, IReadOnlyList<string> Variables, byte[] Json, string ETag);

sealed partial class PromptResolver(PromptCache cache, IRunningExperiments experiments)
{
    /// <summary>The version to serve for a label (default `production`), an explicit version, or `latest`.</summary>
    public async ValueTask<Resolution> ResolveAsync(Guid projectId, string name, string? label, int? version, string? subject)
    {
        var prompt = await cache.GetAsync(projectId, name) ?? throw ProblemException.NotFound($"There is no prompt named '{name}'.");
        if (version is not null)
        {
            var exact = await cache.GetVersionAsync(prompt, version.Value)
                ?? throw ProblemException.NotFound($"Prompt '{name}' has no version {version} (latest is {prompt.LatestVersion}).");
            return new Resolution(prompt, exact, null, null);
        }

        label ??= Label.Production;
        var target = prompt.TargetOf(label) ?? throw ProblemException.NotFound($"Prompt '{name}' has no '{label}' version.");
        // A subject of an experiment or rollout running on the label gets its variant's version, chosen in memory.
        var choice = subject is null ? null : await experiments.AssignAsync(projectId, prompt.Id, label, subject);
        if (choice is not null) target = choice.Version;
        var served = await cache.GetVersionAsync(prompt, target)
            ?? throw new InvalidOperationException($"Label '{label}' of '{name}' points at a missing version {target}.");
        return new Resolution(prompt, served, label, choice?.Experiment);
    }

    public async ValueTask<ResolvedContent> ContentAsync(Resolution resolution)
    {
        var version = resolution.Version;
        if (cache.Enabled && version.Answers.TryGetValue(resolution.AnswerKey, out var built)) return built;

        string? template = null;
        IReadOnlyList<ChatMessage>? messages = null;
        IReadOnlyList<string> variables = version.Variables;
        if (version.Includes.Length == 0)
        {
            (template, messages) = (version.Template, version.Messages);
        }
        else
        {
            var all = new SortedSet<string>(StringComparer.Ordinal);
            if (version.Template is not null)
            {
                template = await ExpandAsync(resolution.Prompt, version.Template, [resolution.Prompt.Name], all);
            }
            else
            {
                var expanded = new List<ChatMessage>();
                foreach (var message in version.Messages!)
                {
                    expanded.Add(message.IsPlaceholder
                        ? message
                        : message with { Content = await ExpandAsync(resolution.Prompt, message.Content!, [resolution.Prompt.Name], all) });
                }
                messages = expanded;
            }
            variables = [.. all];
        }

        var json = WriteAnswer(resolution, template, messages, variables);
        var content = new ResolvedContent(template, messages, variables, json, ETagOf(json));
        if (cache.Enabled) version.Answers[resolution.AnswerKey] = content;
        return content;
    }

    /// <summary>Replaces each `{{> name@label}}` with that prompt's text, recursively; 422 on a cycle or a missing target.</summary>
    async ValueTask<string> ExpandAsync(ServedPrompt owner, string text, List<string> trail, SortedSet<string> variables)
    {
        var analysis = TemplateAnalyzer.Analyze(text);
        if (analysis.Error is not null) throw ProblemException.Unprocessable($"The template of '{owner.Name}' does not compile: {analysis.Error.Message}.");
        foreach (var name in analysis.Variables) variables.Add(name);
        if (analysis.References.Count == 0) return text;

        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in analysis.References)
        {
            if (trail.Contains(reference.Name))
            {
                throw ProblemException.Unprocessable($"The includes form a cycle: {string.Join(" → ", trail.Append(reference.Name))}.");
            }
            if (trail.Count > PromptReference.MaxDepth) throw ProblemException.Unprocessable($"Includes are nested more than {PromptReference.MaxDepth} deep.");
            var included = await cache.GetAsync(owner.ProjectId, reference.Name)
                ?? throw ProblemException.Unprocessable($"'{owner.Name}' includes prompt '{reference.Name}', which does not exist.");
            if (included.Type != PromptType.Text) throw ProblemException.Unprocessable($"'{owner.Name}' includes chat prompt '{reference.Name}'; only text prompts can be included.");
            var target = included.TargetOf(reference.Label)
                ?? throw ProblemException.Unprocessable($"'{owner.Name}' includes prompt '{reference.Name}', which has no '{reference.Label}' version.");
            var version = await cache.GetVersionAsync(included, target)
                ?? throw new InvalidOperationException($"Label '{reference.Label}' of '{reference.Name}' points at a missing version.");
            cache.RecordInclude(owner, included);
            replacements[reference.ToString()] = await ExpandAsync(included, version.Template!, [.. trail, reference.Name], variables);
        }
        return Include().Replace(text, match =>
        {
            var reference = PromptReference.Parse(match.Groups["ref"].Value.Trim('"', '\''));
            return reference is not null && replacements.TryGetValue(reference.ToString(), out var replacement) ? replacement : match.Value;
        });
    }

    [GeneratedRegex(@"\{\{~?\s*>\s*(?<ref>[^\s}~]+)\s*~?\}\}")]
    private static partial Regex Include();

    static byte[] WriteAnswer(Resolution resolution, string? template, IReadOnlyList<ChatMessage>? messages, IReadOnlyList<string> variables)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (template?.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", resolution.Prompt.Name);
            json.WriteNumber("version", resolution.Version.Version);
            json.WriteString("type", resolution.Version.Type == PromptType.Chat ? "chat" : "text");
            json.WriteString("label", resolution.Label);
            json.WriteString("template", template);
            json.WritePropertyName("messages");
            if (messages is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStartArray();
                foreach (var message in messages)
                {
                    json.WriteStartObject();
                    if (message.IsPlaceholder)
                    {
                        json.WriteString("type", ChatMessage.PlaceholderType);
                        json.WriteString("name", message.Name);
                    }
                    else
                    {
                        json.WriteString("role", message.Role);
                        json.WriteString("content", message.Content);
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WritePropertyName("config");
            json.WriteRawValue(resolution.Version.Config, skipInputValidation: true);
            json.WriteStartArray("variables");
            foreach (var variable in variables) json.WriteStringValue(variable);
            json.WriteEndArray();
            json.WritePropertyName("experiment");
            if (resolution.Experiment is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStartObject();
                json.WriteString("key", resolution.Experiment.Key);
                json.WriteString("variant", resolution.Experiment.Variant);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A strong validator: the hash of the exact bytes served.</summary>
    static string ETagOf(byte[] json) => $"\"{Convert.ToHexString(SHA256.HashData(json).AsSpan(0, 16)).ToLowerInvariant()}\"";
}

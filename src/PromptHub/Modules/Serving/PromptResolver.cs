using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Prompts;
using PromptHub.Platform;
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
/// variables of the whole, the versions the includes reach (for rendering), and the resolve answer
/// as bytes with its ETag — built once per version and way of asking, then reused until the prompt
/// (or one it includes) changes.
/// </summary>
sealed record ResolvedContent(string? Template, IReadOnlyList<ChatMessage>? Messages, IReadOnlyList<string> Variables, IncludeChain Includes,
    byte[] Json, string ETag);

sealed class PromptResolver(PromptCache cache, IRunningExperiments experiments, IOptions<JsonOptions> json)
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

        label ??= PromptRules.Production;
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
        if (cache.Enabled && version.Answers.TryGet(resolution.AnswerKey, out var built)) return built;

        var (template, messages, variables, includes) = (version.Template, version.Messages, (IReadOnlyList<string>)version.Variables, IncludeChain.Empty);
        if (version.Includes.Length > 0)
        {
            includes = await TemplateLanguage.WalkIncludesAsync(resolution.Prompt.Name, version.Format, version.Includes, new CachedIncludes(cache, resolution.Prompt));
            variables = [.. includes.Variables.Union(version.Variables).Order(StringComparer.Ordinal)];
            if (template is not null) template = Inline(template, version.Format, includes);
            else messages = [.. messages!.Select(m => m.IsPlaceholder ? m : m with { Content = Inline(m.Content!, version.Format, includes) })];
        }

        var answer = Answer(resolution, template, messages, variables);
        var content = new ResolvedContent(template, messages, variables, includes, answer, ETagOf(answer));
        if (cache.Enabled) version.Answers.Set(resolution.AnswerKey, content);
        return content;
    }

    /// <summary>
    /// Each include tag replaced by the included prompt's text, itself inlined: what a client that renders
    /// prompts itself needs. An include is a tag of its own (checked at upload), so this is what it renders to.
    /// </summary>
    static string Inline(string text, TemplateFormat format, IncludeChain includes)
    {
        var tags = TemplateLanguage.Analyze(text, format).Includes;
        if (tags.Count == 0) return text;
        var inlined = new System.Text.StringBuilder(text.Length);
        var at = 0;
        foreach (var tag in tags.OrderBy(t => t.Start))
        {
            inlined.Append(text, at, tag.Start - at).Append(Inline(includes.Versions[tag.Include.ToString()].Template, format, includes));
            at = tag.Start + tag.Length;
        }
        return inlined.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>Includes looked up in the serving cache, noting for each one which cached answers depend on it.</summary>
    sealed class CachedIncludes(PromptCache cache, ServedPrompt origin) : IIncludeSource
    {
        readonly Dictionary<string, ServedPrompt> _seen = new(StringComparer.Ordinal) { [origin.Name] = origin };

        public async ValueTask<IncludeLookup> FindAsync(PromptInclude include, string includer)
        {
            var included = await cache.GetAsync(origin.ProjectId, include.Name);
            if (included is null) return new IncludeLookup(null, null);
            cache.RecordInclude(_seen[includer], included);
            _seen[included.Name] = included;
            var target = included.TargetOf(include.Label);
            if (target is null || included.Type != PromptType.Text) return new IncludeLookup(included.Type, null);
            var version = await cache.GetVersionAsync(included, target.Value)
                ?? throw new InvalidOperationException($"Label '{include.Label}' of '{include.Name}' points at a missing version.");
            return new IncludeLookup(included.Type, new IncludedVersion(origin.ProjectId, included.Name, version.Version, version.Format,
                version.Template!, version.Variables, version.Includes));
        }
    }

    /// <summary>The resolve answer as its documented record, serialised as every answer is (once per version and way of asking).</summary>
    byte[] Answer(Resolution resolution, string? template, IReadOnlyList<ChatMessage>? messages, IReadOnlyList<string> variables)
    {
        var version = resolution.Version;
        var view = new ResolveView(resolution.Prompt.Name, version.Version, EnumText.Lower(version.Type), TemplateLanguage.Name(version.Format),
            resolution.Label, template, messages, JsonNode.Parse(version.Config), variables, resolution.Experiment);
        return JsonSerializer.SerializeToUtf8Bytes(view, json.Value.SerializerOptions);
    }

    /// <summary>A strong validator: the hash of the exact bytes served.</summary>
    static string ETagOf(byte[] json) => $"\"{Convert.ToHexString(SHA256.HashData(json).AsSpan(0, 16)).ToLowerInvariant()}\"";
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using PromptHub.Modules.Access;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.Guardrails;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Http;
using PromptHub.Platform.Logging;

using PromptHub.Platform;

namespace PromptHub.Modules.Serving;

/// <summary>`placeholders`: for chat prompts, the messages each placeholder stands for, by its name.</summary>
public sealed record RenderRequest(string? Label, int? Version, string? Subject, JsonElement? Variables, JsonElement? Placeholders = null);

public sealed record ResolveView(string Name, int Version, string Type, string TemplateFormat, string? Label, string? Template, IReadOnlyList<ChatMessage>? Messages,
    JsonNode? Config, IReadOnlyList<string> Variables, ExperimentAssignment? Experiment);

public sealed record RenderView(string Name, int Version, string Type, string TemplateFormat, string? Label, string? Text, IReadOnlyList<ChatMessage>? Messages,
    JsonNode? Config, IReadOnlyList<string> Variables, ExperimentAssignment? Experiment, IReadOnlyList<GuardrailFinding> Guardrails);

static class ServingEndpoints
{
    /// <summary>Answers that may have missed a change (the change feed is down) carry this header.</summary>
    public const string StaleHeader = "PromptHub-Stale";
    const int MaxSubjectLength = 256;

    public static void MapServingEndpoints(this IEndpointRouteBuilder api)
    {
        var serving = api.MapGroup("/prompts").WithTags("Serving").RequireAuthorization(AccessPolicies.Reader)
            .WithMetadata(QuietRequestLog.Instance)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        serving.MapGet("/{name}/resolve", Resolve).WithName("ResolvePrompt").WithSummary("Resolve the version to use now")
            .Produces<ResolveView>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status304NotModified)
            .WithDescription("The label's target (or the variant the subject is assigned to while an experiment or rollout runs), with template or messages, config and variables, from memory. The answer carries an `ETag`: send it back as `If-None-Match` and an unchanged answer is 304 with no body.");
        serving.MapPost("/{name}/render", Render).WithName("RenderPrompt").WithSummary("Render a prompt with variables")
            .WithDescription("Resolves as resolve does, applies the project's guardrails to the variables, and renders. 422: a variable the template uses is missing (`errors` names each), or rendering failed or took too long.");
    }

    /// <summary>
    /// The hot path: the answer's bytes and ETag are built once per version and label, so a cached
    /// resolve is a dictionary lookup and one write — or a 304 when the caller already has them.
    /// </summary>
    static async Task Resolve(string name, string? label, string? version, string? subject, HttpContext http, PromptResolver resolver, PromptCache cache)
    {
        var (promptName, chosenLabel, number) = ReadQuery(name, label, version, subject);
        var resolution = await resolver.ResolveAsync(http.Caller().ProjectId, promptName, chosenLabel, number, subject);
        var content = await resolver.ContentAsync(resolution);

        var response = http.Response;
        response.Headers.ETag = content.ETag;
        response.Headers.CacheControl = "private, max-age=0, must-revalidate";
        if (cache.MayBeStale) response.Headers[StaleHeader] = "true";
        if (Matches(http.Request.Headers.IfNoneMatch, content.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = content.Json.Length;
        await response.Body.WriteAsync(content.Json, http.RequestAborted);
    }

    static async Task<Ok<RenderView>> Render(string name, RenderRequest request, HttpContext http, PromptResolver resolver, PromptCache cache, TemplateRenderer renderer,
        IGuardrails guardrails)
    {
        var (promptName, label, _) = ReadQuery(name, request.Label, null, request.Subject);
        new Validation()
            .Check(request.Version is null or > 0, "version", "must be a positive whole number")
            .Check(request.Variables is null || request.Variables.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null, "variables", "must be a JSON object of name → value")
            .ThrowIfInvalid();
        var placeholders = ReadPlaceholders(request.Placeholders);

        var resolution = await resolver.ResolveAsync(http.Caller().ProjectId, promptName, label, request.Version, request.Subject);
        var content = await resolver.ContentAsync(resolution);
        // Guardrails see the caller's JSON before any template does: a block ends here, a redaction changes what is rendered.
        var guarded = request.Variables is { ValueKind: JsonValueKind.Object } given
            ? await guardrails.ApplyAsync(resolution.Prompt.ProjectId, resolution.Prompt.Name, resolution.Prompt.Tags, given)
            : null;
        var variablesToRender = guarded?.Variables ?? request.Variables;
        var data = variablesToRender is { ValueKind: JsonValueKind.Object } variables ? TemplateRenderer.ToData(variables) : new Scriban.Runtime.ScriptObject();
        var missing = content.Variables.Where(v => !data.ContainsKey(v)).ToList();
        if (missing.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Missing variables",
                $"The template needs these variables, which were not given: {string.Join(", ", missing)}.",
                new Dictionary<string, string[]> { ["variables"] = [.. missing.Select(m => $"'{m}' is missing")] })
            {
                Extensions = { ["missing"] = missing },
            };
        }

        string? text = null;
        List<ChatMessage>? messages = null;
        var version = resolution.Version;
        if (version.Template is not null)
        {
            text = renderer.Render(version, 0, data, content.Includes, "template");
        }
        else
        {
            messages = [];
            var unfilled = version.Messages!.Where(m => m.IsPlaceholder && !placeholders.ContainsKey(m.Name!)).Select(m => m.Name!).ToList();
            if (unfilled.Count > 0)
            {
                throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Missing placeholders",
                    $"The chat prompt has placeholders that were not given: {string.Join(", ", unfilled)}; pass their messages in placeholders (an empty array for none).",
                    new Dictionary<string, string[]> { ["placeholders"] = [.. unfilled.Select(m => $"'{m}' is missing")] })
                {
                    Extensions = { ["missing"] = unfilled },
                };
            }
            for (var i = 0; i < version.Messages!.Count; i++)
            {
                var message = version.Messages[i];
                // The given messages are data (a conversation so far): inserted as they are, never rendered as templates.
                if (message.IsPlaceholder) messages.AddRange(placeholders[message.Name!]);
                else messages.Add(message with { Content = renderer.Render(version, i, data, content.Includes, $"messages[{i}].content") });
            }
        }

        if (cache.MayBeStale) http.Response.Headers[StaleHeader] = "true";
        return TypedResults.Ok(new RenderView(resolution.Prompt.Name, version.Version, EnumText.Lower(version.Type),
            TemplateLanguage.Name(version.Format), resolution.Label,
            text, messages, JsonNode.Parse(version.Config), content.Variables, resolution.Experiment, guarded?.Findings ?? []));
    }

    /// <summary>`{name: [{role, content}…]}`: 400 naming the first bad entry of each placeholder.</summary>
    static Dictionary<string, List<ChatMessage>> ReadPlaceholders(JsonElement? placeholders)
    {
        var filled = new Dictionary<string, List<ChatMessage>>(StringComparer.Ordinal);
        if (placeholders is null || placeholders.Value.ValueKind == JsonValueKind.Null) return filled;
        var validation = new Validation();
        if (placeholders.Value.ValueKind != JsonValueKind.Object)
        {
            validation.Add("placeholders", "must be a JSON object of placeholder name → array of {role, content}").ThrowIfInvalid();
        }
        foreach (var placeholder in placeholders.Value.EnumerateObject())
        {
            var field = $"placeholders.{placeholder.Name}";
            if (placeholder.Value.ValueKind != JsonValueKind.Array)
            {
                validation.Add(field, "must be an array of {role, content}");
                continue;
            }
            var messages = new List<ChatMessage>();
            var i = 0;
            foreach (var item in placeholder.Value.EnumerateArray())
            {
                var valid = item.ValueKind == JsonValueKind.Object
                    && item.EnumerateObject().All(p => p.Name is "role" or "content" && p.Value.ValueKind == JsonValueKind.String)
                    && item.TryGetProperty("role", out var role) && role.GetString() is { Length: > 0 }
                    && item.TryGetProperty("content", out _);
                if (!valid)
                {
                    validation.Add($"{field}[{i}]", "must be an object {role, content} of two strings");
                    break;
                }
                messages.Add(new ChatMessage(item.GetProperty("role").GetString(), item.GetProperty("content").GetString()));
                i++;
            }
            filled[placeholder.Name] = messages;
        }
        validation.ThrowIfInvalid();
        return filled;
    }

    /// <summary>The prompt name, and either a label (`version=latest` is the label `latest`) or a version number.</summary>
    static (string Name, string? Label, int? Version) ReadQuery(string name, string? label, string? version, string? subject)
    {
        var promptName = PromptRules.NameFromRoute(name);
        var validation = new Validation();
        if (label is not null && PromptRules.LabelError(label, forMove: false) is { } labelError) validation.Add("label", labelError);
        int? number = null;
        if (version is not null)
        {
            if (version == PromptRules.Latest) label = PromptRules.Latest;
            else if (int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0) number = parsed;
            else validation.Add("version", "must be a positive whole number or 'latest'");
        }
        validation.Check(subject is null || subject.Length <= MaxSubjectLength, "subject", $"must be at most {MaxSubjectLength} characters")
            .Check(subject is null || !string.IsNullOrWhiteSpace(subject), "subject", "must not be empty: leave it out to get the label's version");
        validation.ThrowIfInvalid();
        return (promptName, label, number);
    }

    /// <summary>If-None-Match: `*`, or any listed tag equal to ours (weak comparison, as RFC 9110 asks for it).</summary>
    static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var header in ifNoneMatch)
        {
            if (header is null) continue;
            foreach (var candidate in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (candidate == "*" || candidate == etag || (candidate.StartsWith("W/", StringComparison.Ordinal) && candidate[2..] == etag)) return true;
            }
        }
        return false;
    }
}

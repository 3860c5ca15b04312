using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace PromptHub.Platform.Http;

/// <summary>The modules' docs for the document being generated (gathered again after a few seconds, as examples carry times).</summary>
sealed class ApiDocsSource(TimeProvider time, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    ModuleApiDocs? _current;

    public ModuleApiDocs Current
    {
        get
        {
            var now = time.GetUtcNow();
            if (_current is { } current && now - current.Now < TimeSpan.FromSeconds(10)) return current;
            return _current = ModuleApiDocs.FromAssembly(typeof(ApiDocsSource).Assembly, now);
        }
    }

    /// <summary>The app's own JSON settings, so that an example reads as the app would read it; nulls left out.</summary>
    public JsonSerializerOptions ExampleJson { get; } = new(json.Value.SerializerOptions) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>
/// Request bodies: required fields as the modules declared them, and not nullable (every field is a
/// nullable C# type so that the app, not the JSON reader, names what is missing). The problem document
/// gets the members PromptHub adds: `errors` for invalid fields and `traceId`.
/// </summary>
sealed class RequestSchemaFilter(ApiDocsSource source) : ISchemaFilter
{
    public void Apply(IOpenApiSchema model, SchemaFilterContext context)
    {
        if (model is not OpenApiSchema schema) return;
        if (context.Type == typeof(ProblemDetails))
        {
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For invalid input (400, some 422): each field (`messages[0].role`) with what is wrong with it.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
            schema.Properties["traceId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The request's trace id, also in the server's log line for it.",
            };
            return;
        }
        var docs = source.Current;
        if (!docs.Describes(context.Type) || schema.Properties is null) return;
        foreach (var (name, property) in schema.Properties.ToList())
        {
            if (docs.IsAnyJson(context.Type, name)) schema.Properties[name] = new OpenApiSchema { Description = "Any JSON value." };
        }
        foreach (var name in docs.RequiredOf(context.Type))
        {
            if (!schema.Properties.TryGetValue(name, out var property))
            {
                throw new InvalidOperationException($"{context.Type.Name} has no field '{name}' to mark required.");
            }
            schema.Required ??= new HashSet<string>();
            schema.Required.Add(name);
            if (property is OpenApiSchema { Type: { } type } inline) inline.Type = type & ~JsonSchemaType.Null;
        }
    }
}

/// <summary>
/// Per operation, from the modules' docs and the endpoint's own metadata: body examples, parameter
/// descriptions and examples, paging, conditional GET, and every status the platform can answer.
/// </summary>
sealed class OperationDocsFilter(ApiDocsSource source) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var docs = source.Current;
        var api = context.ApiDescription;
        var path = api.RelativePath ?? "";

        DescribeWhoMay(operation, docs, api.ActionDescriptor.EndpointMetadata);
        AddBodyExamples(operation, docs, api.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type);

        operation.Parameters ??= [];
        if (context.MethodInfo?.GetParameters().Any(p => p.ParameterType == typeof(PageRequest)) == true)
        {
            operation.Parameters.Add(Query("page", "Page number, from 1 (default 1).", JsonSchemaType.Integer));
            operation.Parameters.Add(Query("pageSize", $"Items per page, 1–{PageRequest.MaxPageSize} (default 50). The answer is `{{items, page, pageSize, total}}`.", JsonSchemaType.Integer));
        }

        operation.Responses ??= [];
        var responses = operation.Responses;
        if (responses.ContainsKey("304"))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-None-Match", In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                Description = "The `ETag` of an earlier answer: 304 with no body while it is still current.",
            });
        }
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.Name is null || docs.ParameterOf(parameter.Name, path) is not { } described) continue;
            parameter.Description ??= described.Description;
            if (described.Example is { } example) parameter.Example = JsonValue.Create(example);
        }

        // Every status the platform can answer on its own, in the error shape of the route (problem+json on /api/v1).
        if (docs.ErrorsOf(path) is var (errorType, errorMedia))
        {
            var error = context.SchemaGenerator.GenerateSchema(errorType, context.SchemaRepository);
            var hasBody = operation.RequestBody is not null;
            int[] statuses = [400, 401, 403, 405, 429, 503];
            foreach (var status in statuses) Add(responses, status, error, errorMedia);
            if (path.Contains('{')) Add(responses, 404, error, errorMedia);
            if (hasBody) Add(responses, 413, error, errorMedia);
            if (hasBody) Add(responses, 415, error, errorMedia);
        }
        var bodyLimit = api.ActionDescriptor.EndpointMetadata.OfType<IRequestSizeLimitMetadata>().LastOrDefault()?.MaxRequestBodySize ?? RequestLimits.MaxBodyBytes;
        foreach (var (code, response) in responses.Select(r => (r.Key, r.Value as OpenApiResponse)).Where(r => r.Item2 is not null).ToList())
        {
            var status = int.Parse(code, CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(response!.Description) || response.Description == ReasonPhrases.GetReasonPhrase(status))
            {
                response.Description = StatusText(status, bodyLimit) ?? response.Description;
            }
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (status is 429 or 503) response.Headers["Retry-After"] = Header(JsonSchemaType.Integer, "Seconds to wait before trying again.");
            if (status == 201) response.Headers["Location"] = Header(JsonSchemaType.String, "Where the new resource can be read.");
            if (status is 200 or 304 && responses.ContainsKey("304")) response.Headers["ETag"] = Header(JsonSchemaType.String, "Send it back as `If-None-Match`.");
        }
    }

    /// <summary>The key the operation needs, first in its description (the endpoint's own policy is the last one, and the strictest).</summary>
    static void DescribeWhoMay(OpenApiOperation operation, ModuleApiDocs docs, IList<object> metadata)
    {
        var who = metadata.OfType<IAllowAnonymous>().Any()
            ? "no API key"
            : metadata.OfType<IAuthorizeData>().LastOrDefault(a => a.Policy is not null)?.Policy is { } policy ? docs.WhoMay(policy) ?? policy : null;
        if (who is null) return;
        operation.Description = operation.Description is { Length: > 0 } description ? $"**Key:** {who}.\n\n{description}" : $"**Key:** {who}.";
    }

    void AddBodyExamples(OpenApiOperation operation, ModuleApiDocs docs, Type? bodyType)
    {
        if (bodyType is null || operation.RequestBody?.Content is not { } content) return;
        var examples = docs.ExamplesOf(bodyType);
        if (examples.Count == 0) return;
        foreach (var media in content.Values.OfType<OpenApiMediaType>())
        {
            media.Examples = examples.ToDictionary(e => e.Name, e => (IOpenApiExample)new OpenApiExample
            {
                Summary = e.Summary,
                Value = JsonSerializer.SerializeToNode(e.Value, e.Value.GetType(), source.ExampleJson),
            });
        }
    }

    static OpenApiParameter Query(string name, string description, JsonSchemaType type) =>
        new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = new OpenApiSchema { Type = type } };

    static OpenApiHeader Header(JsonSchemaType type, string description) => new() { Description = description, Schema = new OpenApiSchema { Type = type } };

    static void Add(OpenApiResponses responses, int status, IOpenApiSchema error, string mediaType)
    {
        var code = status.ToString(CultureInfo.InvariantCulture);
        if (responses.ContainsKey(code)) return;
        responses[code] = new OpenApiResponse
        {
            Description = ReasonPhrases.GetReasonPhrase(status),
            Content = new Dictionary<string, IOpenApiMediaType> { [mediaType] = new OpenApiMediaType { Schema = error } },
        };
    }

    /// <summary>What each status means everywhere; an operation's description says what its 409 or 422 means there.</summary>
    static string? StatusText(int status, long? bodyLimit) => status switch
    {
        400 => "Malformed JSON, an unknown or repeated field, or invalid values: `errors` names each field and what is wrong with it.",
        401 => "No API key, or one that is unknown or revoked. Send `Authorization: Bearer <key>` (in Swagger UI: Authorize, paste the key alone).",
        403 => "The key's role may not do this (reader keys read and report; admin keys manage their project).",
        404 => "Not found, or it belongs to another project (the same answer, so that a key never learns of another project's data).",
        405 => "This address does not take this method.",
        409 => "Conflicts with the current state (see the description).",
        413 => bodyLimit is { } limit ? $"The body is over {Size(limit)}." : "The body is too large.",
        415 => "The body is not `application/json`.",
        422 => "Well-formed, but the content cannot be used (see the description).",
        429 => "Over the key's rate limit (admin and ops keys; reader keys are not limited by default). Retry after `Retry-After` seconds.",
        503 => "The database is unreachable: writes, and reads that are not served from memory, are refused until it is back.",
        _ => null,
    };

    static string Size(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
}

/// <summary>Tags in the order an admin works, each with a line on what it holds; operations follow that order.</summary>
sealed class TagOrderFilter : IDocumentFilter
{
    public static readonly (string Name, string Description)[] Tags =
    [
        ("Prompts", "Create prompts, upload immutable versions, diff them, move labels (activate, roll back) and read each label's history."),
        ("Serving", "What LLM services call on every request: resolve the version to use, or render it with variables (reader key)."),
        ("Experiments", "A/B experiments between versions on one prompt and label: define, start, stop (optionally promoting a variant), results."),
        ("Rollouts", "A candidate version for a growing share of subjects (10 → 25 → 50 → 100), then completed into the label or aborted."),
        ("Executions", "LLM services report each use of a prompt version, and later its outcome (reader key)."),
        ("Analytics", "Per-version time series, the project overview, and backfills of the daily roll-up."),
        ("Guardrails", "PII, prompt-injection, blocklist and length rules applied to render's variables; try them on a text."),
        ("Git sync", "Prompts from a Git repository: connect, preview, sync, webhook, fetch log, export."),
        ("Keys", "API keys of the caller's project; a new key's secret is shown once."),
        ("Projects", "The caller's project, and new projects with their first admin key."),
        ("Notifications", "The outbox of Discord announcements: delivery state, retries, a test message."),
        ("Ops", "Recurring jobs and their runs, installation-wide (ops keys read, admin keys act); the dashboard is at /hangfire."),
        ("Langfuse-compatible", "Langfuse's public prompt API, so that Langfuse's SDKs work unchanged (Langfuse's error envelope, not problem+json)."),
    ];

    public static int IndexOf(string? tag) => Array.FindIndex(Tags, t => t.Name == tag) is var i and >= 0 ? i : Tags.Length;

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).ToHashSet();
        // Insertion order is the order Swagger UI shows.
        document.Tags = new HashSet<OpenApiTag>(Tags.Where(t => used.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
    }
}

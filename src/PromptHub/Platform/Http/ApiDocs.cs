using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace PromptHub.Platform.Http;

/// <summary>
/// Swagger UI at /swagger that an admin can drive: every body pre-filled with an example that works,
/// the Bearer scheme declared once, tags in the order an admin works. The modules describe their own
/// bodies and parameters (<see cref="IModuleApiDocs"/>); the filters in Docs/ apply that everywhere.
/// </summary>
static class ApiDocs
{
    public const string ReadmePath = "/swagger/readme";

    public static void AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSingleton<ApiDocsSource>();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "PromptHub API",
                Version = "v1",
                Description = "PromptHub is the system of record for the prompts a company's LLM services use: versioned prompt templates, " +
                              "labels (activation and rollback), experiments and rollouts, serving, analytics. " +
                              "Click **Authorize** and paste an API key (the secret alone). Every body below is pre-filled with an example " +
                              "that works when the operations are tried in order: create a prompt, upload a version, activate it, resolve it. " +
                              "Prompt names with slashes are typed plainly here (Swagger UI encodes them). " +
                              $"Errors are RFC 7807 problem documents. The [README]({ReadmePath}) walks through every path.",
            });
            options.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "Paste the API key alone (`phk_…`), without `Bearer ` in front: Swagger UI adds it. " +
                              "Admin keys manage their project, reader keys resolve, render and report, ops keys read the jobs.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("Bearer", document)] = [],
            });
            // Configs and metadata are free JSON objects, not the internals of the .NET type that holds them.
            options.MapType<JsonNode>(FreeObject);
            options.MapType<JsonObject>(FreeObject);
            options.MapType<JsonElement>(FreeObject);
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            // Stable within a tag: operations keep the order their module maps them in.
            options.OrderActionsBy(api => TagOrderFilter.IndexOf(api.ActionDescriptor.EndpointMetadata
                .OfType<Microsoft.AspNetCore.Http.Metadata.ITagsMetadata>().LastOrDefault()?.Tags.FirstOrDefault()).ToString("D2"));
            options.SchemaFilter<RequestSchemaFilter>();
            options.OperationFilter<OperationDocsFilter>();
            options.DocumentFilter<TagOrderFilter>();
        });
    }

    static IOpenApiSchema FreeObject() => new OpenApiSchema
    {
        Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema(), Description = "A JSON object of your own keys.",
    };

    /// <summary>Only requests under /swagger pass through the Swagger middleware (it costs the serving path otherwise).</summary>
    public static void UseApiDocs(this WebApplication app)
    {
        // Whoever opens the bare address in a browser lands on the API explorer, not on a JSON 404.
        app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription().AllowAnonymous();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger"), docs =>
        {
            docs.Map(ReadmePath, readme => readme.Run(WriteReadme));
            docs.UseSwagger();
            docs.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/swagger/v1/swagger.json", "PromptHub v1");
                options.DocumentTitle = "PromptHub API";
                options.EnablePersistAuthorization();
                options.EnableTryItOutByDefault();
                options.DisplayRequestDuration();
                options.DefaultModelsExpandDepth(0);
            });
        });
    }

    /// <summary>The README this build was made from (embedded when the build could see it), as text.</summary>
    static async Task WriteReadme(HttpContext context)
    {
        await using var readme = typeof(ApiDocs).Assembly.GetManifestResourceStream("README.md");
        if (readme is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        await readme.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}

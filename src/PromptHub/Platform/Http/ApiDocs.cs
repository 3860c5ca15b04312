using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace PromptHub.Platform.Http;

/// <summary>Swagger UI at /swagger with the Bearer scheme declared once, so an admin authorizes once.</summary>
static class ApiDocs
{
    public static void AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "PromptHub API",
                Version = "v1",
                Description = "Versioned prompt templates, labels (activation and rollback), and serving to LLM services. " +
                              "Authorize with an API key: `Authorization: Bearer <secret>`. Prompt names with slashes are " +
                              "URL-encoded in paths (support%2Ftriage) or written plainly.",
            });
            options.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key secret of role admin, reader or ops.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("Bearer", document)] = [],
            });
        });
    }

    /// <summary>Only requests under /swagger pass through the Swagger middleware (it costs the serving path otherwise).</summary>
    public static void UseApiDocs(this WebApplication app)
    {
        // Whoever opens the bare address in a browser lands on the API explorer, not on a JSON 404.
        app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription().AllowAnonymous();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger"), docs =>
        {
            docs.UseSwagger();
            docs.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/swagger/v1/swagger.json", "PromptHub v1");
                options.DocumentTitle = "PromptHub API";
                options.EnablePersistAuthorization();
            });
        });
    }
}

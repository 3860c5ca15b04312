using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;
using PromptHub.Platform.Logging;

namespace PromptHub.Platform;

/// <summary>Cross-cutting pieces every module relies on: logging, database, errors, JSON, API docs, health.</summary>
static class PlatformSetup
{
    public static void AddPlatform(this WebApplicationBuilder builder)
    {
        builder.AddLogging();
        builder.Services.AddOptions<PromptHubOptions>().BindConfiguration(PromptHubOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PromptHubOptions>, PromptHubOptionsValidation>();
        builder.AddDatabase();
        builder.Services.AddSingleton<TimeProvider>(new DatabaseClock());
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            // Answers the framework writes itself (unknown route, wrong method or media type) get a detail too.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => "There is nothing at this address.",
                StatusCodes.Status405MethodNotAllowed => "This address does not take this method.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
                _ => null,
            };
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes);
        builder.AddApiDocs();
    }

    /// <summary>Strict JSON: unknown fields, duplicate fields and wrong types are 400s, not silently dropped.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict; // the web default reads "3" as 3
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    public static void UsePlatform(this WebApplication app)
    {
        app.UseRequestLog();
        app.UseExceptionHandler();
        app.Use(ProblemForEmptyErrors);
        app.UseApiDocs();
    }

    /// <summary>
    /// An error answered without a body by the framework (unknown route, wrong method or media type)
    /// gets a problem document, like UseStatusCodePages does, without its cost on every request.
    /// </summary>
    static async Task ProblemForEmptyErrors(HttpContext context, RequestDelegate next)
    {
        await next(context);
        var response = context.Response;
        if (response.StatusCode < 400 || response.HasStarted || response.ContentLength > 0 || response.ContentType is not null) return;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = response.StatusCode },
        });
    }

    /// <summary>After routing, as the limit can depend on the endpoint.</summary>
    public static void UseBodyLimits(this WebApplication app) => app.Use(RequestLimits.LimitBody);

    /// <summary>Health probes, and the versioned API root every module maps under.</summary>
    public static RouteGroupBuilder MapApi(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithMetadata(SilentRequestLog.Instance);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).WithMetadata(SilentRequestLog.Instance);
        return app.MapGroup("/api/v1")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }
}

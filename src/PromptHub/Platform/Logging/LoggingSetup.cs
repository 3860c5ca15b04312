using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace PromptHub.Platform.Logging;

/// <summary>
/// Serilog behind Microsoft.Extensions.Logging: JSON lines in Production, readable lines elsewhere,
/// levels from the "Serilog" configuration section. Serilog.AspNetCore is not served, so the
/// one-line-per-request log is <see cref="UseRequestLog"/>.
/// </summary>
static class LoggingSetup
{
    public static void AddLogging(this IHostApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext();
        configuration = builder.Environment.IsProduction()
            ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true))
            : configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
        // ASP.NET Core's own "Request starting/finished" lines repeat ours and carry the query string,
        // which is the one place a careless client might put a key: they are never written.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }

    /// <summary>
    /// One line per request: method, path as the client sent it (never the query string or headers,
    /// which may carry secrets), status, duration and trace id.
    /// </summary>
    public static void UseRequestLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILogger<RequestLog>>();
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            var path = context.Request.Path.Value; // before any rewrite
            try
            {
                await next(context);
            }
            finally
            {
                var status = context.Response.StatusCode;
                var level = status >= 500 ? LogLevel.Error
                    : status < 400 && context.GetEndpoint()?.Metadata.GetMetadata<QuietRequestLog>() is not null ? LogLevel.Debug
                    : LogLevel.Information;
                if (logger.IsEnabled(level))
                {
                    logger.Log(level, "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId})",
                        context.Request.Method, path, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                        Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
                }
            }
        });
    }

    sealed class RequestLog;
}

/// <summary>
/// Marks an endpoint called on every request of an LLM service (resolve, render): its successful
/// requests are logged at Debug rather than Information, like Serilog's request logging is usually
/// set up for hot endpoints, so a busy service does not spend its time writing log lines. Failures
/// are still logged at Information or above.
/// </summary>
public sealed class QuietRequestLog
{
    public static readonly QuietRequestLog Instance = new();
}

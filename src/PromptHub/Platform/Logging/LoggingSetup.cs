using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace PromptHub.Platform.Logging;

/// <summary>
/// Serilog behind Microsoft.Extensions.Logging: JSON lines in Production, readable lines elsewhere,
/// levels from the "Serilog" configuration section. Serilog.AspNetCore is not served, so the
/// one-line-per-request log is <see cref="LogRequest"/>.
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
    /// One line per request: method, path (never the query string or headers, which may carry
    /// secrets), status, duration and trace id.
    /// </summary>
    public static async Task LogRequest(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var logger = context.RequestServices.GetService(typeof(ILogger<RequestLog>)) as ILogger<RequestLog>;
            var status = context.Response.StatusCode;
            var level = status >= 500 ? LogLevel.Error : LogLevel.Information;
            if (logger?.IsEnabled(level) == true)
            {
                logger.Log(level, "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId})",
                    context.Request.Method, context.Request.Path.Value, status,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
            }
        }
    }

    sealed class RequestLog;
}

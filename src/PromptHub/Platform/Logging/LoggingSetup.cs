using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace PromptHub.Platform.Logging;

/// <summary>
/// Serilog.AspNetCore: compact JSON lines in Production, readable lines elsewhere, levels from the
/// "Serilog" configuration section, the trace id on every event, and one line per request.
/// </summary>
static class LoggingSetup
{
    /// <summary>A quiet endpoint's request slower than this is logged anyway.</summary>
    public static readonly TimeSpan SlowRequest = TimeSpan.FromSeconds(1);

    public static void AddLogging(this IHostApplicationBuilder builder)
    {
        var production = builder.Environment.IsProduction();
        // The console's own floor (PromptHub:Logging:ConsoleLevel): tests keep every event for their checks but print only warnings.
        var consoleLevel = builder.Configuration.GetValue("PromptHub:Logging:ConsoleLevel", LogEventLevel.Verbose);
        builder.Logging.ClearProviders();
        // Sinks registered as services join the console (tests capture events that way). Serilog's static
        // Log.Logger is left alone: each app (several share a test process) logs through its own.
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                // ASP.NET Core's own "Request starting/finished" lines repeat ours and carry the query string,
                // which is the one place a careless client might put a key: they are never written.
                .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", LogEventLevel.Fatal)
                .Filter.ByExcluding(IsAnsweredConflict)
                .Enrich.FromLogContext();
            if (production) logger.WriteTo.Console(new RenderedCompactJsonFormatter(), consoleLevel); // @tr/@sp: trace and span id
            else logger.WriteTo.Console(consoleLevel, "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {TraceId}{NewLine}{Exception}");
        }, preserveStaticLogger: true);
    }

    /// <summary>
    /// EF Core logs a failed command and a failed save as errors with the database's stack trace, before the
    /// caller can catch anything. A unique violation is how PromptHub learns of a duplicate (a prompt name, a
    /// slug) and is answered 409: an expected client error, which the request line already records.
    /// </summary>
    static bool IsAnsweredConflict(LogEvent e) =>
        e.Exception is { } exception &&
        e.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string category } &&
        category.StartsWith("Microsoft.EntityFrameworkCore.", StringComparison.Ordinal) &&
        (exception as Npgsql.PostgresException ?? exception.InnerException as Npgsql.PostgresException) is { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// One line per request: method, path as the client sent it (never the query string or headers,
    /// which may carry secrets), status, duration and trace id, at a level chosen per endpoint.
    /// </summary>
    public static void UseRequestLog(this WebApplication app) => app.UseSerilogRequestLogging(options =>
    {
        options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
        options.MessageTemplate = "HTTP {RequestMethod:l} {RequestPath:l} responded {StatusCode} in {Elapsed:0.0} ms (trace {TraceId:l})";
        options.IncludeQueryInRequestPath = false;
        options.EnrichDiagnosticContext = (diagnostics, context) =>
            diagnostics.Set("TraceId", System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        options.GetLevel = LevelOf;
    });

    /// <summary>Failures always; health probes never; resolve and render only when slow or failing; the rest at Information.</summary>
    static LogEventLevel LevelOf(HttpContext context, double elapsedMilliseconds, Exception? exception)
    {
        var status = context.Response.StatusCode;
        if (exception is not null || status >= 500) return LogEventLevel.Error;
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<SilentRequestLog>() is not null) return LogEventLevel.Verbose; // below every minimum: no line
        if (status < 400 && elapsedMilliseconds < SlowRequest.TotalMilliseconds && metadata?.GetMetadata<QuietRequestLog>() is not null)
        {
            return LogEventLevel.Debug;
        }
        return LogEventLevel.Information;
    }
}

/// <summary>
/// Marks an endpoint called on every request of an LLM service (resolve, render): its successful
/// requests are logged at Debug rather than Information, so a busy service does not spend its time
/// writing log lines. Failures and slow requests are still logged at Information or above.
/// </summary>
public sealed class QuietRequestLog
{
    public static readonly QuietRequestLog Instance = new();
}

/// <summary>Marks an endpoint whose successful requests never write a line (health probes, called every few seconds).</summary>
public sealed class SilentRequestLog
{
    public static readonly SilentRequestLog Instance = new();
}

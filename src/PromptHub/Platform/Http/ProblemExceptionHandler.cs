using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PromptHub.Platform.Http;

/// <summary>Turns every exception into RFC 7807 problem+json: the one place errors are shaped.</summary>
sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499; // the client went away; nobody reads an answer
            return true;
        }

        var problem = ToProblem(exception);
        if (problem.Status >= 500 && problem.Status != StatusCodes.Status503ServiceUnavailable)
        {
            log.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            log.LogWarning("Database unavailable on {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, exception.Message);
            context.Response.Headers.RetryAfter = "5";
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    static ProblemDetails ToProblem(Exception exception) => exception switch
    {
        ProblemException p => WithExtensions(Build(p.Status, p.Title, p.Message, p.Errors), p.Extensions),
        BadHttpRequestException { InnerException: JsonException json } => FromJson(json),
        JsonException json => FromJson(json),
        BadHttpRequestException bad => FromBadRequest(bad),
        DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } } =>
            Build(409, "Conflict with the current state", "The change conflicts with a concurrent change; read the resource again and retry."),
        _ when IsDatabaseUnavailable(exception) =>
            Build(503, "Service unavailable", "The database is unreachable; writes are refused until it is back. Retry later."),
        _ => Build(500, "Internal server error", "An unexpected error occurred. The trace id identifies it in the server log."),
    };

    static ProblemDetails WithExtensions(ProblemDetails problem, Dictionary<string, object?> extensions)
    {
        foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        return problem;
    }

    static ProblemDetails FromJson(JsonException json)
    {
        var field = FieldOf(json.Path);
        var message = json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
            ? "is not a known field"
            : json.Message.StartsWith("Duplicate", StringComparison.Ordinal)
                ? "appears more than once"
                : json.Path is null or "$" && json.LineNumber == 0 && json.BytePositionInLine == 0
                    ? "is not valid JSON"
                    : $"has the wrong type or is not valid JSON (line {json.LineNumber + 1}, position {json.BytePositionInLine + 1})";
        return Build(400, "The request is invalid", $"The JSON body is invalid at '{field}': {message}.",
            new Dictionary<string, string[]> { [field] = [message] });
    }

    static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Build(413, "Request body too large", bad.Message);
        }
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Build(415, "Unsupported media type", "Send the body as application/json.");
        }
        if (bad.Message.Contains("was not provided from body", StringComparison.Ordinal) ||
            bad.Message.Contains("Implicit body inferred", StringComparison.Ordinal))
        {
            return Build(400, "The request is invalid", "A JSON request body is required.",
                new Dictionary<string, string[]> { ["body"] = ["is required"] });
        }
        var bind = BindFailure().Match(bad.Message);
        if (bind.Success)
        {
            var field = bind.Groups["name"].Value;
            var message = $"is not a valid {FriendlyType(bind.Groups["type"].Value)}";
            return Build(400, "The request is invalid", $"'{field}' {message}.", new Dictionary<string, string[]> { [field] = [message] });
        }
        return Build(bad.StatusCode, "Bad request", "The request could not be read.");
    }

    static string FriendlyType(string type) => type.TrimEnd('?') switch
    {
        "int" or "long" or "Int32" or "Int64" => "whole number",
        "DateTimeOffset" or "DateTime" or "DateOnly" => "date (ISO 8601)",
        "Guid" => "id",
        "bool" or "Boolean" => "boolean",
        _ => "value",
    };

    static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "body";
        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException or TimeoutException) return true;
            if (e is NpgsqlException { IsTransient: true }) return true;
            if (e is NpgsqlException && e is not PostgresException) return true;
            if (e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "08000" or "08003" or "08006" or "08001" or "08004" }) return true;
            if (e is InvalidOperationException && e.Message.Contains("transient failure", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    static ProblemDetails Build(int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value));
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        return problem;
    }

    [GeneratedRegex("""Failed to bind parameter "(?<type>[^ "]+) (?<name>[^ "]+)" from""")]
    private static partial Regex BindFailure();
}

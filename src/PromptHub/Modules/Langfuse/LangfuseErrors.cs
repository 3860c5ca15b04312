using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace PromptHub.Modules.Langfuse;

/// <summary>
/// Errors on Langfuse's routes in Langfuse's envelope `{message, error}` instead of problem+json: its SDKs
/// and the code written against them read these two fields. Every error PromptHub answers (exceptions,
/// 401/403 from authorization, 404/405 from routing, 429) goes through the problem details service, so
/// this writer, tried before the default one, covers them all; other routes keep problem+json.
/// </summary>
sealed class LangfuseErrors : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => LangfuseModule.IsLangfusePath(context.HttpContext.Request.Path);

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var response = context.HttpContext.Response;
        var status = problem.Status ?? response.StatusCode;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, new LangfuseError(MessageOf(problem), ErrorName(status)),
            LangfuseJson.Options, context.HttpContext.RequestAborted);
    }

    /// <summary>The detail, and for invalid fields each field with what is wrong with it (the envelope has no other place for them).</summary>
    static string MessageOf(ProblemDetails problem)
    {
        var message = problem.Detail ?? problem.Title ?? "The request failed.";
        return problem is HttpValidationProblemDetails { Errors.Count: > 0 } invalid
            ? $"{message} {string.Join("; ", invalid.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}"
            : message;
    }

    /// <summary>The names Langfuse's server answers with (packages/shared/src/errors).</summary>
    static string ErrorName(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "UnauthorizedError",
        StatusCodes.Status403Forbidden => "ForbiddenError",
        StatusCodes.Status404NotFound => "LangfuseNotFoundError",
        StatusCodes.Status405MethodNotAllowed => "MethodNotAllowedError",
        StatusCodes.Status409Conflict => "LangfuseConflictError",
        StatusCodes.Status429TooManyRequests => "TooManyRequestsError",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailableError",
        >= 500 => "InternalServerError",
        _ => "InvalidRequestError",
    };
}

public sealed record LangfuseError(string Message, string Error);

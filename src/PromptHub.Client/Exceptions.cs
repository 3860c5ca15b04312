using System.Net;

namespace PromptHub.Client;

/// <summary>PromptHub answered with an error the client cannot work around (a bad key, a bad request).</summary>
public class PromptHubException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromptHubException(string message, HttpStatusCode? status = null, Exception? inner = null) : base(message, inner) => Status = status;

    /// <summary>The HTTP status PromptHub answered, when it answered.</summary>
    public HttpStatusCode? Status { get; }
}

/// <summary>PromptHub says there is no such prompt, label or version (404).</summary>
public sealed class PromptNotFoundException(string message) : PromptHubException(message, HttpStatusCode.NotFound);

/// <summary>PromptHub could not be reached in time (network, timeout, 408/429/5xx after the retries) and no fallback was found.</summary>
public sealed class PromptHubUnavailableException(string message, Exception? inner = null) : PromptHubException(message, null, inner);

/// <summary>A template did not compile, or (strict mode) the data lacks a variable it uses.</summary>
public sealed class PromptRenderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromptRenderException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

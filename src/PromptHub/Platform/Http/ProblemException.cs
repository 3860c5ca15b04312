using Microsoft.AspNetCore.Http;

namespace PromptHub.Platform.Http;

/// <summary>
/// A failure the caller can act on. Thrown by handlers, written as RFC 7807 problem+json by
/// <see cref="ProblemExceptionHandler"/>, so every module answers errors the same way.
/// </summary>
public sealed class ProblemException(int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;
    /// <summary>Extra members of the problem document (e.g. a template error's line and column).</summary>
    public Dictionary<string, object?> Extensions { get; } = [];

    public static ProblemException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "The request is invalid",
            "One or more fields are invalid: " + string.Join(", ", errors.Keys) + ".", errors);

    public static ProblemException Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemException NotFound(string detail) =>
        new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemException Conflict(string detail) =>
        new(StatusCodes.Status409Conflict, "Conflict with the current state", detail);

    public static ProblemException Unprocessable(string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new(StatusCodes.Status422UnprocessableEntity, "The content cannot be used", detail, errors);
}

/// <summary>Collects every invalid field of a request before answering 400 once.</summary>
public sealed class Validation
{
    // Made on the first error only: most requests are valid, and resolve validates its query every time.
    Dictionary<string, List<string>>? _errors;

    public bool IsValid => _errors is null;

    /// <summary>How many messages so far.</summary>
    public int Count => _errors?.Values.Sum(messages => messages.Count) ?? 0;

    public Validation Add(string field, string message)
    {
        _errors ??= [];
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Validation Check(bool ok, string field, string message) => ok ? this : Add(field, message);

    public void ThrowIfInvalid()
    {
        if (_errors is not null) throw ProblemException.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}

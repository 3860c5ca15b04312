using Microsoft.AspNetCore.Http;

namespace PromptHub.Modules.Access;

/// <summary>Who is calling: the authenticated key, its project and role. Every query is scoped by ProjectId.</summary>
public sealed record Caller(Guid KeyId, Guid ProjectId, ApiKeyRole Role, string KeyName);

public static class CallerExtensions
{
    static readonly object ItemKey = new();

    /// <summary>The caller of an endpoint that requires authorization (always set there).</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Items[ItemKey] as Caller ?? throw new InvalidOperationException("No authenticated caller on this request.");

    public static Caller? CallerOrNull(this HttpContext context) => context.Items[ItemKey] as Caller;

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Items[ItemKey] = caller;
}

using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

// What other modules may use of the Access module: this file, nothing else.

/// <summary>What a key may do. Stored and sent in lower case.</summary>
public enum ApiKeyRole
{
    Admin,
    Reader,
    Ops,
}

/// <summary>Who is calling: the authenticated key, its project and role. Every query is scoped by ProjectId.</summary>
public sealed record Caller(Guid KeyId, Guid ProjectId, ApiKeyRole Role, string KeyName);

public static class CallerExtensions
{
    /// <summary>The caller of an endpoint that requires authorization (always set there).</summary>
    public static Caller Caller(this HttpContext context) =>
        context.CallerOrNull() ?? throw new InvalidOperationException("No authenticated caller on this request.");

    public static Caller? CallerOrNull(this HttpContext context) => context.User.CallerOrNull();

    /// <summary>The caller a principal stands for (a key, or a browser signed in with one), or null.</summary>
    public static Caller? CallerOrNull(this ClaimsPrincipal? user) => (user as CallerPrincipal)?.Caller;
}

/// <summary>
/// Who may do what: admin keys may do everything; reader keys read prompts and report usage; ops keys watch
/// (jobs, deliveries, volumes and error rates) and change nothing. Endpoints name one of these policies
/// (installation-wide ops pages add <see cref="HomeProjectRequirement"/>). The README's Keys section has the table.
/// </summary>
public static class AccessPolicies
{
    /// <summary>admin.</summary>
    public const string Admin = "admin";
    /// <summary>reader, admin: prompts, serving, experiments, reporting executions.</summary>
    public const string Reader = "reader";
    /// <summary>Any key of the project (admin, reader, ops): its own project, analytics reads.</summary>
    public const string AnyRole = "any-role";
    /// <summary>admin, ops: the notification outbox's state and settings.</summary>
    public const string Watch = "watch";
}

/// <summary>A tenant: every key, prompt and row belongs to exactly one project (other modules' rows point at it by foreign key).</summary>
public sealed partial class Project
{
    public Guid Id { get; private set; }
    public string Slug { get; private set; } = "";
    public string Name { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public static Project Create(string slug, string name, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Slug = slug, Name = name, CreatedAt = now };

    public static bool IsValidSlug(string? slug) => slug is not null && SlugPattern().IsMatch(slug);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();
}

/// <summary>The slugs of projects by id, for installation-wide pages that list rows of every project.</summary>
public interface IProjectSlugs
{
    Task<IReadOnlyDictionary<Guid, string>> SlugsAsync(IReadOnlyCollection<Guid> projectIds, CancellationToken ct);
}

/// <summary>
/// Something another module does for every new project, in the project's creating transaction
/// (the Prompts module adds example prompts when PromptHub:SeedExamples is on).
/// </summary>
public interface IProjectSetup
{
    Task SetUpAsync(PromptHubDb db, Guid projectId, string author, CancellationToken cancellationToken);
}

/// <summary>
/// The installation's home project, `default` (the one bootstrap creates). Its keys are the
/// installation's operators: installation-wide pages (the jobs dashboard, `/api/v1/ops`) accept only them.
/// </summary>
public interface IHomeProject
{
    const string Slug = "default";

    ValueTask<Guid?> IdAsync(CancellationToken ct);
}

/// <summary>A policy requirement: the caller's key belongs to the home project (<see cref="IHomeProject"/>).</summary>
public sealed class HomeProjectRequirement : IAuthorizationRequirement;

/// <summary>A key signed in to a browser page (the jobs dashboard) as a cookie that never holds the secret.</summary>
public interface IKeySignIn
{
    /// <summary>The caller of a pasted key, or null when it is unknown or revoked.</summary>
    ValueTask<Caller?> FindAsync(string secret, CancellationToken ct);

    Task SignInAsync(HttpContext http, Caller caller);

    Task SignOutAsync(HttpContext http);
}

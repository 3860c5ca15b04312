using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

using PromptHub.Platform;

namespace PromptHub.Modules.Access;

public sealed record CreateKeyRequest(string? Name, string? Role);
public sealed record KeyView(Guid Id, string PublicId, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
/// <summary>The only answer that ever carries a key's secret.</summary>
public sealed record CreatedKey(Guid Id, string PublicId, string Name, string Role, DateTimeOffset CreatedAt, string Secret);

static class KeyEndpoints
{
    public static void MapKeyEndpoints(this IEndpointRouteBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Keys").RequireAuthorization(AccessPolicies.Admin);
        keys.MapPost("/", Create).WithName("CreateKey").WithSummary("Create an API key")
            .WithDescription("The secret is in this answer only; it is stored as a hash.");
        keys.MapGet("/", List).WithName("ListKeys").WithSummary("List the project's keys");
        keys.MapDelete("/{id}", Revoke).WithName("RevokeKey").WithSummary("Revoke a key")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Every instance refuses it within a second. 409: it is the project's last active admin key.");
    }

    static async Task<Created<CreatedKey>> Create(CreateKeyRequest request, HttpContext http, PromptHubDb db, TimeProvider time, CancellationToken ct)
    {
        var (name, role) = Validate(request);
        var (key, secret) = ApiKey.Create(http.Caller().ProjectId, name, role, time.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/keys/{key.Id}", ToCreated(key, secret));
    }

    static async Task<Ok<Paged<KeyView>>> List(PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var keys = db.ApiKeys.Where(k => k.ProjectId == http.Caller().ProjectId);
        var total = await keys.CountAsync(ct);
        var items = await keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Skip(paging.Skip).Take(paging.PageSize)
            .ToListAsync(ct);
        return TypedResults.Ok(new Paged<KeyView>(items.Select(ToView).ToList(), paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<KeyView>> Revoke(string id, HttpContext http, PromptHubDb db, ChangeFeed changes, TimeProvider time, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var keyId)) throw ProblemException.Invalid("id", "is not a key id");
        var projectId = http.Caller().ProjectId;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Lock the project so that two concurrent revocations cannot both leave it without an admin key.
        await db.Projects.FromSql($"SELECT * FROM access.projects WHERE id = {projectId} FOR UPDATE").ToListAsync(ct);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.ProjectId == projectId, ct)
            ?? throw ProblemException.NotFound($"There is no key '{keyId}' in this project.");
        if (key.RevokedAt is null && key.Role == ApiKeyRole.Admin &&
            !await db.ApiKeys.AnyAsync(k => k.ProjectId == projectId && k.Id != keyId && k.Role == ApiKeyRole.Admin && k.RevokedAt == null, ct))
        {
            throw ProblemException.Conflict("This is the project's last active admin key; create another admin key before revoking it.");
        }
        key.Revoke(time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        // Every instance stops accepting the key: this one now, the others when the notification arrives.
        await changes.CommitAsync(db, transaction.CommitAsync, ApiKeyDirectory.ChangeTopic, ApiKeyDirectory.ChangeKey(key.SecretHash), ct);
        return TypedResults.Ok(ToView(key));
    }

    public static (string Name, ApiKeyRole Role) Validate(CreateKeyRequest request)
    {
        var validation = new Validation()
            .Check(!string.IsNullOrWhiteSpace(request.Name), "name", "is required")
            .Check(request.Name is null || request.Name.Length <= 100, "name", "must be at most 100 characters")
            .Check(request.Name is null || !request.Name.Any(char.IsControl), "name", "must not contain control characters");
        ApiKeyRole role = default;
        validation.Check(request.Role is not null && TryParseRole(request.Role, out role), "role", "must be one of admin, reader, ops");
        validation.ThrowIfInvalid();
        return (request.Name!.Trim(), role);
    }

    static bool TryParseRole(string text, out ApiKeyRole role)
    {
        role = default;
        return text is "admin" or "reader" or "ops" && Enum.TryParse(text, ignoreCase: true, out role);
    }

    public static KeyView ToView(ApiKey key) =>
        new(key.Id, key.PublicId, key.Name, EnumText.Lower(key.Role), key.CreatedAt, key.LastUsedAt, key.RevokedAt);

    public static CreatedKey ToCreated(ApiKey key, string secret) =>
        new(key.Id, key.PublicId, key.Name, EnumText.Lower(key.Role), key.CreatedAt, secret);

}

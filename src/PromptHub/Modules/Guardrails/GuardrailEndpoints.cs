using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PromptHub.Modules.Access;
using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Guardrails;

public sealed record GuardrailScope(string[]? Prompts, string[]? Tags);

public sealed record GuardrailRequest(string? Name, string? Type, JsonElement? Config, string? Action, GuardrailScope? Scope, bool? Active);

public sealed record GuardrailView(Guid Id, string Name, string Type, JsonElement Config, string Action, GuardrailScope Scope, bool Active,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy);

public sealed record CheckRequest(string? Text, string[]? Types);

/// <summary>What the project's active guardrails make of a text: blocked or not, the text as it would be rendered, every finding.</summary>
public sealed record CheckView(bool Blocked, string Text, IReadOnlyList<GuardrailFinding> Findings);

public sealed record FindingCountView(Guid GuardrailId, string Guardrail, string Action, long Count);

public sealed record FindingCountsView(IReadOnlyList<FindingCountView> Items);

/// <summary>Guardrails over HTTP (admin): define, list, show, replace, delete, try on a text, and their finding counts.</summary>
static class GuardrailEndpoints
{
    const int MaxScopeEntries = 100, MaxCheckText = 100_000;

    public static void MapGuardrailsEndpoints(this IEndpointRouteBuilder api)
    {
        var guardrails = api.MapGroup("/guardrails").WithTags("Guardrails").RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        guardrails.MapPost("/", Create).WithName("CreateGuardrail").WithSummary("Define a guardrail").ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Applied to the variables callers pass to render, on the prompts of its scope (all prompts when none is given). 409: a guardrail of that name exists.");
        guardrails.MapGet("/", List).WithName("ListGuardrails").WithSummary("List guardrails");
        guardrails.MapGet("/{id}", Get).WithName("GetGuardrail").WithSummary("Read a guardrail");
        guardrails.MapPut("/{id}", Replace).WithName("ReplaceGuardrail").WithSummary("Replace a guardrail").ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("409: another guardrail has that name.");
        guardrails.MapDelete("/{id}", Delete).WithName("DeleteGuardrail").WithSummary("Delete a guardrail");
        guardrails.MapPost("/check", Check).WithName("CheckGuardrails").WithSummary("Try the active guardrails on a text")
            .WithDescription("Nothing is stored: the answer says whether the text would be blocked, how it would be rendered, and every finding.");
        guardrails.MapGet("/counts", Counts).WithName("GuardrailFindingCounts").WithSummary("How often each guardrail found something");
    }

    static async Task<Created<GuardrailView>> Create(GuardrailRequest request, HttpContext http, PromptHubDb db, ChangeFeed changes, TimeProvider time, CancellationToken ct)
    {
        var definition = Validate(request);
        var caller = http.Caller();
        var guardrail = Guardrail.Create(caller.ProjectId, definition, caller.KeyName, time.GetUtcNow());
        db.Guardrails.Add(guardrail);
        await SaveAsync(db, changes, caller.ProjectId, definition.Name, ct);
        return TypedResults.Created($"/api/v1/guardrails/{guardrail.Id}", ToView(guardrail));
    }

    static async Task<Ok<Paged<GuardrailView>>> List(string? type, bool? active, PageRequest paging, HttpContext http, PromptHubDb db, CancellationToken ct)
    {
        var query = db.Guardrails.AsNoTracking().Where(g => g.ProjectId == http.Caller().ProjectId);
        if (type is not null)
        {
            var wanted = Guardrail.Parse<GuardrailType>(type) ?? throw ProblemException.Invalid("type", TypeMessage);
            query = query.Where(g => g.Type == wanted);
        }
        if (active is not null) query = query.Where(g => g.Active == active);
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(g => g.Name).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Paged<GuardrailView>([.. page.Select(ToView)], paging.Page, paging.PageSize, total));
    }

    static async Task<Ok<GuardrailView>> Get(string id, HttpContext http, PromptHubDb db, CancellationToken ct) =>
        TypedResults.Ok(ToView(await FindAsync(db, http, id, tracked: false, ct)));

    static async Task<Ok<GuardrailView>> Replace(string id, GuardrailRequest request, HttpContext http, PromptHubDb db, ChangeFeed changes, TimeProvider time, CancellationToken ct)
    {
        var guardrail = await FindAsync(db, http, id, tracked: true, ct);
        var definition = Validate(request);
        var caller = http.Caller();
        guardrail.Replace(definition, caller.KeyName, time.GetUtcNow());
        await SaveAsync(db, changes, caller.ProjectId, definition.Name, ct);
        return TypedResults.Ok(ToView(guardrail));
    }

    static async Task<NoContent> Delete(string id, HttpContext http, PromptHubDb db, ChangeFeed changes, CancellationToken ct)
    {
        var guardrail = await FindAsync(db, http, id, tracked: true, ct);
        db.Guardrails.Remove(guardrail);
        await SaveAsync(db, changes, guardrail.ProjectId, guardrail.Name, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Runs the project's active guardrails (of the types asked for, whatever their scope) on a text, as render would on one variable.</summary>
    static async Task<Ok<CheckView>> Check(CheckRequest request, HttpContext http, GuardrailRules rules)
    {
        var validation = new Validation()
            .Check(request.Text is not null, "text", "is required")
            .Check(request.Text is null || request.Text.Length <= MaxCheckText, "text", $"must be at most {MaxCheckText} characters");
        var types = new HashSet<GuardrailType>();
        foreach (var word in request.Types ?? [])
        {
            if (Guardrail.Parse<GuardrailType>(word) is { } type) types.Add(type);
            else validation.Add("types", $"'{word}': {TypeMessage}");
        }
        validation.ThrowIfInvalid();
        var active = (await rules.ActiveAsync(http.Caller().ProjectId)).Where(g => types.Count == 0 || types.Contains(g.Type)).ToList();
        var run = GuardrailRun.Of(active, [("text", request.Text!)]);
        return TypedResults.Ok(new CheckView(run.Blocked, run.Replacements.GetValueOrDefault(0, request.Text!), [.. run.Findings.Select(f => f.View)]));
    }

    static async Task<Ok<FindingCountsView>> Counts(HttpContext http, PromptHubDb db, FindingCounts counts, CancellationToken ct)
    {
        await counts.FlushAsync(ct); // this instance's latest counts; other instances' arrive within seconds
        var projectId = http.Caller().ProjectId;
        var items = await (from c in db.GuardrailFindingCounts.AsNoTracking()
                           join g in db.Guardrails.AsNoTracking() on c.GuardrailId equals g.Id
                           where c.ProjectId == projectId
                           orderby g.Name, c.Action
                           select new FindingCountView(g.Id, g.Name, c.Action, c.Count)).ToListAsync(ct);
        return TypedResults.Ok(new FindingCountsView(items));
    }

    static readonly string TypeMessage = $"must be one of {string.Join(", ", Guardrail.AllWords<GuardrailType>())}";

    static GuardrailDefinition Validate(GuardrailRequest request)
    {
        var validation = new Validation();
        if (Guardrail.NameError(request.Name) is { } nameError) validation.Add("name", nameError);
        var type = Guardrail.Parse<GuardrailType>(request.Type);
        if (type is null) validation.Add("type", request.Type is null ? "is required: " + TypeMessage : TypeMessage);
        var action = request.Action is null ? (GuardrailAction?)null : Guardrail.Parse<GuardrailAction>(request.Action);
        if (request.Action is not null && action is null)
        {
            validation.Add("action", $"must be one of {string.Join(", ", Guardrail.AllWords<GuardrailAction>())}");
        }
        var settings = type is null ? new GuardrailSettings() : GuardrailSettings.Read(type.Value, request.Config, validation);
        var prompts = request.Scope?.Prompts ?? [];
        var tags = request.Scope?.Tags ?? [];
        validation.Check(prompts.Length <= MaxScopeEntries, "scope.prompts", $"must have at most {MaxScopeEntries} names")
            .Check(tags.Length <= MaxScopeEntries, "scope.tags", $"must have at most {MaxScopeEntries} tags");
        foreach (var prompt in prompts)
        {
            var name = prompt?.EndsWith('/') == true ? prompt[..^1] : prompt;
            if (PromptRules.NameError(name) is { } error) validation.Add("scope.prompts", $"'{prompt}' {error} (a folder ends with '/')");
        }
        foreach (var tag in tags)
        {
            validation.Check(tag is { Length: > 0 and <= 64 } && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/'),
                "scope.tags", $"'{tag}' must be 1–64 characters of A-Z, a-z, 0-9, '.', '_', '-', ':' and '/'");
        }
        validation.ThrowIfInvalid();
        return new GuardrailDefinition(request.Name!, type!.Value, settings, action ?? DefaultAction(type.Value), request.Active ?? true,
            [.. prompts.Distinct(StringComparer.Ordinal)], [.. tags.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Without an action: personal data is redacted, over-long values truncated, blocklisted terms block, injection attempts warn.</summary>
    static GuardrailAction DefaultAction(GuardrailType type) => type switch
    {
        GuardrailType.Pii => GuardrailAction.Redact,
        GuardrailType.Blocklist => GuardrailAction.Block,
        GuardrailType.MaxLength => GuardrailAction.Redact,
        _ => GuardrailAction.Warn,
    };

    /// <summary>Saves and commits, telling every instance that the project's guardrails changed (applied here at once).</summary>
    static async Task SaveAsync(PromptHubDb db, ChangeFeed changes, Guid projectId, string name, CancellationToken ct)
    {
        var key = projectId.ToString("N");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw ProblemException.Conflict($"A guardrail named '{name}' already exists in this project.");
        }
        await changes.CommitAsync(db, transaction.CommitAsync, GuardrailRules.ChangeTopic, key, ct);
    }

    static async Task<Guardrail> FindAsync(PromptHubDb db, HttpContext http, string routeId, bool tracked, CancellationToken ct)
    {
        if (!Guid.TryParse(routeId, out var id)) throw ProblemException.Invalid("id", "must be a guardrail id (a UUID)");
        var projectId = http.Caller().ProjectId;
        var query = tracked ? db.Guardrails : db.Guardrails.AsNoTracking();
        // Another project's guardrail is as unknown as a missing one.
        return await query.SingleOrDefaultAsync(g => g.Id == id && g.ProjectId == projectId, ct)
            ?? throw ProblemException.NotFound($"There is no guardrail {id}.");
    }

    static GuardrailView ToView(Guardrail g) => new(g.Id, g.Name, Guardrail.Word(g.Type), JsonSerializer.Deserialize<JsonElement>(g.Config),
        Guardrail.Word(g.Action), new GuardrailScope(g.ScopePrompts, g.ScopeTags), g.Active, g.CreatedAt, g.UpdatedAt, g.UpdatedBy);
}

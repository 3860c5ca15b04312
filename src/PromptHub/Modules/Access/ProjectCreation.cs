using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>Creates a project with its first admin key: from the API, at first start, and from the CLI.</summary>
sealed class ProjectCreation(PromptHubDb db, IEnumerable<IProjectSetup> setups, TimeProvider time)
{
    /// <returns>null when the slug is taken.</returns>
    public async Task<(Project Project, ApiKey Key, string Secret)?> CreateAsync(
        string slug, string name, string author, CancellationToken ct, string? adminSecret = null, string adminKeyName = "admin")
    {
        var now = time.GetUtcNow();
        var project = Project.Create(slug, name, now);
        var (key, secret) = ApiKey.Create(project.Id, adminKeyName, ApiKeyRole.Admin, now, adminSecret);

        // Joins the caller's transaction when there is one (bootstrap holds a lock in its own).
        await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
        db.Projects.Add(project);
        db.ApiKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return null;
        }
        foreach (var setup in setups)
        {
            await setup.SetUpAsync(db, project.Id, author, ct);
        }
        await transaction.CommitAsync(ct);
        return (project, key, secret);
    }
}

/// <summary>
/// First start: with no project in the database, create project `default` and its admin key, whose
/// secret is PromptHub:BootstrapAdminKey or, when that is not set, a new one printed once.
/// </summary>
static class Bootstrap
{
    const int MinimumSecretLength = 32;
    // Values that were ever shown in docker-compose.yml or the README: public, so never a working key.
    static readonly string[] Placeholders = ["change-me", "changeme", "your admin key", "a long random secret"];

    public static async Task EnsureFirstProjectAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var configured = scope.ServiceProvider.GetRequiredService<IConfiguration>()["PromptHub:BootstrapAdminKey"];
        if (!string.IsNullOrEmpty(configured))
        {
            // An OptionsValidationException: the host prints it as one start error, like other unusable settings.
            var problem = Placeholders.Any(p => configured.Contains(p, StringComparison.OrdinalIgnoreCase))
                ? "is a documented placeholder, so anyone could use it"
                : configured.Length < MinimumSecretLength ? $"is shorter than {MinimumSecretLength} characters" : null;
            if (problem is not null)
            {
                throw new OptionsValidationException("PromptHub:BootstrapAdminKey", typeof(string),
                    [$"PromptHub:BootstrapAdminKey {problem}: set a random secret of at least {MinimumSecretLength} characters (e.g. openssl rand -hex 24), or leave it empty to have one generated."]);
            }
        }

        // Several instances may start at once on an empty database: one creates, the others see it.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7342001)", ct);
        if (await db.Projects.AnyAsync(ct)) return;

        var created = await scope.ServiceProvider.GetRequiredService<ProjectCreation>()
            .CreateAsync(IHomeProject.Slug, "Default project", "bootstrap", ct, string.IsNullOrEmpty(configured) ? null : configured);
        await transaction.CommitAsync(ct);

        var log = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Bootstrap));
        if (!string.IsNullOrEmpty(configured))
        {
            log.LogInformation("Created project 'default' with the admin key from PromptHub:BootstrapAdminKey");
        }
        else
        {
            log.LogInformation("Created project 'default' with a new admin key (printed once on the console, not logged)");
            PrintSecret("The admin key of project 'default'", created!.Value.Secret, created.Value.Key.PublicId);
        }
    }

    /// <summary>`create-admin-key [--project slug]`: a new admin key (and the project, if new), printed once.</summary>
    public static async Task<int> CreateAdminKeyAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        var slug = OptionValue(args, "--project") ?? "default";
        var name = OptionValue(args, "--name") ?? "admin (cli)";
        if (!Project.IsValidSlug(slug))
        {
            await Console.Error.WriteLineAsync($"'{slug}' is not a valid project slug.");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Slug == slug, ct);
        string secret, publicId;
        if (project is null)
        {
            var created = await scope.ServiceProvider.GetRequiredService<ProjectCreation>().CreateAsync(slug, slug, "cli", ct, adminKeyName: name);
            if (created is null)
            {
                await Console.Error.WriteLineAsync($"Project '{slug}' was created concurrently; run the command again.");
                return 1;
            }
            (secret, publicId) = (created.Value.Secret, created.Value.Key.PublicId);
        }
        else
        {
            (var key, secret) = ApiKey.Create(project.Id, name, ApiKeyRole.Admin, scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow());
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync(ct);
            publicId = key.PublicId;
        }
        PrintSecret($"A new admin key of project '{slug}'", secret, publicId);
        return 0;
    }

    static string? OptionValue(string[] args, string option)
    {
        var i = Array.IndexOf(args, option);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    // Straight to the console, never through the logger: log lines are shipped and kept, this must not be.
    static void PrintSecret(string what, string secret, string publicId) =>
        Console.WriteLine($"""

            ==================================================================================
             {what} (shown once; keep it safe):

                 {secret}

             Use it as 'Authorization: Bearer <key>' or with Swagger UI's Authorize button.
             Langfuse SDKs: publicKey {publicId}, secretKey the key above.
            ==================================================================================

            """);
}

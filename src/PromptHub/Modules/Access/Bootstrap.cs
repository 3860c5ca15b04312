using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptHub.Platform;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>
/// First start: with no project in the database, create project `default` and its admin key, whose
/// secret is PromptHub:BootstrapAdminKey or, when that is not set, a new one printed once.
/// </summary>
static class Bootstrap
{
    public static async Task EnsureFirstProjectAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PromptHubDb>();
        // Checked with the other settings (PromptHubOptions): too short or a placeholder stops the start.
        var configured = scope.ServiceProvider.GetRequiredService<IOptions<PromptHubOptions>>().Value.BootstrapAdminKey;

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

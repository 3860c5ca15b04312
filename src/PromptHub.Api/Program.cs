using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;
using PromptHub.Modules.Analytics;
using PromptHub.Modules.Experiments;
using PromptHub.Modules.GitSync;
using PromptHub.Modules.Guardrails;
using PromptHub.Modules.Jobs;
using PromptHub.Modules.Langfuse;
using PromptHub.Modules.Notifications;
using PromptHub.Modules.Prompts;
using PromptHub.Modules.Serving;
using PromptHub.Platform;
using PromptHub.Platform.Database;

if (args is [HealthProbe.Command, ..]) return await HealthProbe.RunAsync(args); // the container's health check: no host, no database

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform();          // logging, database (embedded when no connection string), problem+json, Swagger
builder.AddAccessModule();      // projects, API keys, roles, rate limits
builder.AddPromptsModule();     // prompts, versions, labels
builder.AddServingModule();     // resolve and render, cached, consistent across instances
builder.AddAnalyticsModule();   // executions, outcomes, daily roll-up, analytics
builder.AddExperimentsModule(); // A/B experiments and gradual rollouts between versions, with results
builder.AddGuardrailsModule();  // per-project PII, prompt-injection, blocklist and length rules on render's variables
builder.AddNotificationsModule(); // Discord announcements of production uploads, via an outbox
builder.AddGitSyncModule();     // prompts from a Git repository: sync, webhook, status, fetch log, export
builder.AddLangfuseModule();    // Langfuse's public prompt API, so that Langfuse's SDKs work unchanged
builder.AddJobsModule();        // last: Hangfire (one server per instance) with the jobs the modules above declared; ops dashboard

var app = builder.Build();
app.UsePlatform();              // request log, errors as problem+json, /swagger
app.UsePromptPaths();           // /prompts/a/b/versions → /prompts/a%2Fb/versions
app.UseRouting();
app.UseBodyLimits();            // 1 MiB, or what the endpoint allows (ingest batches)
app.UseAccess();                // authentication, rate limits, authorization

var api = app.MapApi();         // /health/live, /health/ready and the /api/v1 group
api.MapAccessEndpoints();
api.MapPromptsEndpoints();
api.MapServingEndpoints();
api.MapAnalyticsEndpoints();
api.MapExperimentsEndpoints();
api.MapGuardrailsEndpoints();
api.MapNotificationsEndpoints();
api.MapGitSyncEndpoints();
app.MapLangfuseEndpoints();     // /api/public/v2/prompts, with Langfuse's error envelope
api.MapJobsEndpoints(app);   // /api/v1/ops, and the dashboard at /hangfire (/ops, sign-in)

try
{
    await app.MigrateDatabaseAsync();
    if (args is ["create-admin-key", ..])
    {
        return await app.CreateAdminKeyAsync(args);
    }
    await app.BootstrapAsync();
    await app.RunAsync();
}
catch (LocalPostgresUnavailableException e)
{
    Console.Error.WriteLine($"PromptHub cannot start its embedded PostgreSQL: {e.Message}");
    return 1;
}
catch (OptionsValidationException e)
{
    // A setting that cannot work (a cron that does not parse, a malformed webhook URL): one line naming it.
    Console.Error.WriteLine($"PromptHub cannot start: {string.Join("; ", e.Failures)}");
    return 1;
}
return 0;

/// <summary>The entry point, public for the tests' WebApplicationFactory.</summary>
public partial class Program;

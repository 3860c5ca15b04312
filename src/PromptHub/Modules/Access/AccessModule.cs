using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Access;

/// <summary>Projects, API keys, authentication, roles and rate limits.</summary>
public static class AccessModule
{
    public static void AddAccessModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<KeyUsage>();
        services.AddSingleton<ApiKeyDirectory>();
        services.AddHostedService<KeyUsageWriter>();
        services.AddScoped<ProjectCreation>();
        services.AddScoped<IProjectSlugs, ProjectSlugs>();

        // Authentication itself is the step in UseAccess; the scheme only answers challenges (401) and
        // refusals (403). With no default authenticate scheme, the framework's middleware does nothing.
        services.AddAuthentication(options =>
            {
                options.DefaultChallengeScheme = ApiKeyAuthentication.SchemeName;
                options.DefaultForbidScheme = ApiKeyAuthentication.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddKeySignIn();
        // Signed-in cookies must open on every instance: the key ring is kept in the database.
        services.AddDataProtection().SetApplicationName("PromptHub").PersistKeysToDbContext<PromptHubDb>();
        services.AddSingleton<IHomeProject, HomeProject>();
        services.AddSingleton<IKeySignIn, BrowserSignIn>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, HomeProjectHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Admin, p => p.RequireRole("admin"))
            .AddPolicy(AccessPolicies.Reader, p => p.RequireRole("reader", "admin"))
            .AddPolicy(AccessPolicies.AnyRole, p => p.RequireRole("reader", "admin", "ops"))
            .AddPolicy(AccessPolicies.Watch, p => p.RequireRole("ops", "admin"));

        services.AddOptions<RateLimitOptions>().BindConfiguration("PromptHub:RateLimits");
        services.AddSingleton<KeyRateLimits>();
    }

    /// <summary>Authentication, then rate limits (per key, so after it), then authorization.</summary>
    public static void UseAccess(this WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeyDirectory>();
        app.Use((context, next) => ApiKeyAuthentication.Authenticate(context, next, keys));
        var limits = app.Services.GetRequiredService<KeyRateLimits>();
        app.Use(limits.InvokeAsync);
        app.UseAuthorization();
    }

    public static void MapAccessEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapProjectEndpoints();
        api.MapKeyEndpoints();
    }

    /// <summary>Creates project `default` and its admin key on first start.</summary>
    public static Task BootstrapAsync(this WebApplication app) =>
        Bootstrap.EnsureFirstProjectAsync(app.Services, app.Lifetime.ApplicationStopping);

    /// <summary>`create-admin-key [--project slug] [--name name]`.</summary>
    public static Task<int> CreateAdminKeyAsync(this WebApplication app, string[] args) =>
        Bootstrap.CreateAdminKeyAsync(app.Services, args, CancellationToken.None);
}

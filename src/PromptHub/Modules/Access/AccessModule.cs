using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Admin, p => p.RequireRole("admin"))
            .AddPolicy(AccessPolicies.Reader, p => p.RequireRole("reader", "admin"))
            .AddPolicy(AccessPolicies.Ops, p => p.RequireRole("ops", "admin"));

        services.AddOptions<RateLimitOptions>().BindConfiguration("PromptHub:RateLimits");
        services.AddSingleton<KeyRateLimits>();
    }

    /// <summary>Authentication, then rate limits (per key, so after it), then authorization.</summary>
    public static void UseAccess(this WebApplication app)
    {
        app.UseAuthentication();
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

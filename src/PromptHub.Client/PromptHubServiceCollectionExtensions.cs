using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PromptHub.Client;

/// <summary>The one line of DI: <c>builder.Services.AddPromptHubClient(o => { o.BaseUrl = …; o.ApiKey = …; });</c></summary>
public static class PromptHubServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IPromptHub"/> (and <see cref="PromptHubClient"/>) as a singleton, with settings from the
    /// configuration section <c>PromptHub</c> overridden by <paramref name="configure"/>, and a hosted service that
    /// sends the last executions when the host stops. Returns the builder of its <see cref="HttpClient"/>
    /// (named <c>PromptHub.Client</c>), for handlers or a proxy.
    /// </summary>
    public static IHttpClientBuilder AddPromptHubClient(this IServiceCollection services, Action<PromptHubClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PromptHubClientOptions>()
            .Configure<IServiceProvider>((options, provider) =>
            {
                if (provider.GetService<IConfiguration>()?.GetSection("PromptHub") is { } section) section.Bind(options);
            })
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromptHubClientOptions>, SettingsCheck>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new PromptHubApi(provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetRequiredService<IOptions<PromptHubClientOptions>>(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new ExecutionReporter(provider.GetRequiredService<PromptHubApi>(),
            provider.GetRequiredService<IOptions<PromptHubClientOptions>>(), provider.GetRequiredService<ILogger<ExecutionReporter>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new PromptHubClient(provider.GetRequiredService<PromptHubApi>(), provider.GetRequiredService<ExecutionReporter>(),
            provider.GetRequiredService<IOptions<PromptHubClientOptions>>(), provider.GetService<IConfiguration>(),
            provider.GetRequiredService<ILogger<PromptHubClient>>(), provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IPromptHub>(provider => provider.GetRequiredService<PromptHubClient>());
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<ExecutionReporter>());
        services.AddLogging();

        return services.AddHttpClient(PromptHubApi.HttpClientName, (provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<PromptHubClientOptions>>().Value;
            var baseUrl = options.BaseUrl!.ToString();
            http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            http.Timeout = Timeout.InfiniteTimeSpan; // the client's own pipeline times each call
            http.DefaultRequestHeaders.UserAgent.ParseAdd($"PromptHub.Client/{typeof(PromptHubClient).Assembly.GetName().Version?.ToString(3)}");
        });
    }

    /// <summary>Every wrong setting at once, named as in configuration.</summary>
    sealed class SettingsCheck : IValidateOptions<PromptHubClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, PromptHubClientOptions options) =>
            Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    static List<string> Problems(PromptHubClientOptions o)
    {
        var problems = new List<string>();
        if (o.BaseUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add("PromptHub:BaseUrl must be an absolute http(s) URL of the PromptHub server");
        }
        if (string.IsNullOrWhiteSpace(o.ApiKey)) problems.Add("PromptHub:ApiKey must be set (a reader key of the project)");
        if (string.IsNullOrWhiteSpace(o.DefaultLabel)) problems.Add("PromptHub:DefaultLabel must not be empty");
        if (o.CacheTtl <= TimeSpan.Zero) problems.Add("PromptHub:CacheTtl must be positive");
        if (o.MaxCacheEntries < 1) problems.Add("PromptHub:MaxCacheEntries must be at least 1");
        if (o.RequestTimeout <= TimeSpan.Zero) problems.Add("PromptHub:RequestTimeout must be positive");
        if (o.MaxRetries is < 0 or > 10) problems.Add("PromptHub:MaxRetries must be between 0 and 10");
        if (o.Reporting.BatchSize is < 1 or > 1000) problems.Add("PromptHub:Reporting:BatchSize must be between 1 and 1000 (the server's largest batch)");
        if (o.Reporting.FlushInterval <= TimeSpan.Zero) problems.Add("PromptHub:Reporting:FlushInterval must be positive");
        if (o.Reporting.MaxBufferedExecutions < o.Reporting.BatchSize) problems.Add("PromptHub:Reporting:MaxBufferedExecutions must be at least the batch size");
        return problems;
    }
}

using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Jobs;

namespace PromptHub.Modules.GitSync;

/// <summary>
/// Prompts from a Git repository: a project's source (URL, branch, folder, encrypted token, webhook secret),
/// synced on demand, by a recurring job and by push webhooks into versions through the Prompts module's
/// upload; with a status, a fetch log, a preview and an export in the same file format.
/// </summary>
public static class GitSyncModule
{
    public static void AddGitSyncModule(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GitSyncOptions>().BindConfiguration("PromptHub:GitSync").ValidateOnStart();
        services.AddSingleton<IValidateOptions<GitSyncOptions>, GitSyncOptionsValidation>();
        services.AddSingleton<GitRepositories>();
        services.AddSingleton<GitSecrets>();
        services.AddSingleton<GitSync>();

        builder.AddRecurringJob<GitSyncJob>(GitSyncJob.Name, "Fetches each connected repository that is due (PromptHub:GitSync:Interval) and imports its changed prompt files",
            "PromptHub:Jobs:GitSyncCron", "* * * * *");
        builder.AddOnDemandJob<GitWebhookSyncJob>(GitWebhookSyncJob.Name, "Syncs a project's repository after a verified push webhook");
    }
}

sealed class GitSyncOptionsValidation : IValidateOptions<GitSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, GitSyncOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

using PromptHub.Platform.Http;

namespace PromptHub.Modules.GitSync;

sealed class GitSyncApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<GitSourceRequest>(["url"],
            ("public", "A public repository: *.prompt files under prompts/ on main become versions, labelled staging",
                new GitSourceRequest("https://github.com/acme/prompts.git", "main", "prompts", null, null, ["staging"], false, null)),
            ("private", "A private repository with a read-only token (stored encrypted, never shown again)",
                new GitSourceRequest("https://gitlab.example.com/acme/prompts.git", "main", "prompts", "git", "glpat-xxxxxxxxxxxxxxxxxxxx", ["staging"], true, null)));
        docs.Parameter("label", "api/v1/git-source", "Export the version this label points at (default `latest`).")
            .Parameter("format", "api/v1/git-source", "`tar` (default) or `zip`.")
            .Parameter("project", "api/v1/git-source/webhook", "The project's slug, from the webhook address PUT answered.");
    }
}

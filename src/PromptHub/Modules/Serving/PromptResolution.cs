namespace PromptHub.Modules.Serving;

/// <summary><see cref="IPromptResolution"/> over the resolver, so that other modules see records, never the cache's entries.</summary>
sealed class PromptResolution(PromptResolver resolver) : IPromptResolution
{
    public async ValueTask<ResolvedPrompt> ResolveAsync(Guid projectId, string name, string? label, int? version, bool inlineIncludes)
    {
        var resolution = await resolver.ResolveAsync(projectId, name, label, version, subject: null);
        var (prompt, served) = (resolution.Prompt, resolution.Version);
        var (template, messages) = (served.Template, served.Messages);
        if (inlineIncludes)
        {
            var content = await resolver.ContentAsync(resolution);
            (template, messages) = (content.Template, content.Messages);
        }
        return new ResolvedPrompt(prompt.Id, prompt.Name, prompt.LatestVersion, prompt.Labels, served.Version, served.Type, template, messages, served.Config);
    }
}

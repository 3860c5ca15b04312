using System.Text.Json;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Serving;

/// <summary>Render's example renders the `support/triage` prompt that the registry's examples create and activate.</summary>
sealed class ServingApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        var variables = JsonSerializer.SerializeToElement(new { product = "Acme Cloud", ticket = "I was charged twice for March." });
        docs.Body<RenderRequest>([],
            ("render", "The production version for one subject, with its variables", new RenderRequest("production", null, "user-42", variables)));
        docs.AnyJson<RenderRequest>("placeholders");

        foreach (var route in new[] { "api/v1/prompts/{name}/resolve", "api/v1/prompts/{name}/render" })
        {
            docs.Parameter("label", route, "The label whose version to serve (default `production`); not with `version`.")
                .Parameter("version", route, "A version number or `latest` instead of a label.")
                .Parameter("subject", route, "Who the answer is for (a user or session id): while an experiment or rollout runs on the label, " +
                                             "it picks the subject's variant, always the same one.");
        }
    }
}

using PromptHub.Platform.Http;

namespace PromptHub.Modules.Experiments;

/// <summary>Experiments and rollouts on `support/triage` (versions 1 and 2, production on 1), as the registry's examples leave it.</summary>
sealed class ExperimentsApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<CreateExperimentRequest>(["key", "prompt", "variants"],
            ("ab-test", "Versions 1 and 2 of support/triage, half the subjects each",
                new CreateExperimentRequest("triage-temperature", "support/triage", "production", "Does a warmer model sort borderline tickets better?",
                    [new VariantRequest("control", 1, 50), new VariantRequest("warmer", 2, 50)], null, "successRate", 200)));
        docs.Body<VariantRequest>(["name", "version", "weight"]);
        docs.Body<StopExperimentRequest>([],
            ("promote", "Stop and move the label to the winner", new StopExperimentRequest("warmer", "Warmer wins on success rate")),
            ("stop", "Stop without moving the label", new StopExperimentRequest(null, "Not enough traffic")));
        docs.Body<StartRolloutRequest>(["version"],
            ("rollout", "Version 2 for 10% of the subjects first", new StartRolloutRequest(2, 10, "Warmer model, carefully", null)));
        docs.Body<ChangeRolloutRequest>(["percent"],
            ("step", "The next step", new ChangeRolloutRequest(25, "No complaints at 10%")));
        docs.Body<EndRolloutRequest>([],
            ("end", "With a reason for the label's history", new EndRolloutRequest("Looks good at 50%")));

        docs.Parameter("key", "api/v1/experiments", "The experiment's key.", "triage-temperature")
            .Parameter("status", "api/v1/experiments", "Only experiments in this status: `draft`, `running` or `stopped`.")
            .Parameter("prompt", "api/v1/experiments", "Only experiments on this prompt.");
    }
}

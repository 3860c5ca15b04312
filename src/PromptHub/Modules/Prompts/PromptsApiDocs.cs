using System.Text.Json.Nodes;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// The registry's examples: a chat prompt `support/triage` (created, given two versions, activated) and a
/// text prompt `emails/welcome`. The other modules' examples use `support/triage` after these ran.
/// </summary>
sealed class PromptsApiDocs : IModuleApiDocs
{
    static JsonObject Config(double temperature) => new() { ["model"] = "gpt-4o-mini", ["temperature"] = temperature, ["max_tokens"] = 20 };

    static readonly ChatMessageRequest[] TriageMessages =
    [
        new("system", "You sort support tickets for {{ product }}. Answer with one queue: billing, bug, account or other."),
        new("user", "{{ ticket }}"),
    ];

    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<CreatePromptRequest>(["name", "type"],
            ("chat", "A chat prompt (the one the other examples use)",
                new CreatePromptRequest("support/triage", "chat", "Sorts a support ticket into a queue.", ["support"])),
            ("text", "A text prompt",
                new CreatePromptRequest("emails/welcome", "text", "The first line of a welcome e-mail.", ["email"])));
        docs.Body<VersionRequest>([],
            ("chat", "Version 1 of support/triage: messages with variables, and a model config",
                new VersionRequest(null, TriageMessages, Config(0), "First triage prompt", null)),
            ("chat-config", "Version 2 of support/triage: the same messages, another temperature (change type `config`)",
                new VersionRequest(null, TriageMessages, Config(0.3), "Slightly warmer, for borderline tickets", null)),
            ("text", "A version of a text prompt (set name to emails/welcome), labelled staging at once",
                new VersionRequest("Write one warm sentence welcoming {{ name }}{{ if company }} from {{ company }}{{ end }}.", null,
                    Config(0.7), "First wording", ["staging"])));
        docs.Body<ChatMessageRequest>([]);
        docs.Body<ActivateRequest>(["version"],
            ("activate", "Point the label at version 1", new ActivateRequest(1, "Reviewed by the support team")));
        docs.Body<RollbackRequest>([],
            ("rollback", "Back to the label's previous target", new RollbackRequest("Version 2 sends too many tickets to billing")));

        const string Prompts = "api/v1/prompts";
        docs.Parameter("name", Prompts, "The prompt's name. Slashes may be typed plainly (Swagger UI encodes them as %2F).", "support/triage")
            .Parameter("label", Prompts, "A label: `production` (the active version), `staging`, or any 1–36 of a-z, 0-9, '.', '_', '-'.", PromptRules.Production)
            .Parameter("version", Prompts, "A version number, or `latest`.", "1")
            .Parameter("against", Prompts, "The version to compare with (default: the version it was uploaded after).")
            .Parameter("tag", Prompts, "Only prompts with this tag.")
            .Parameter("search", Prompts, "Only prompts whose name or description contains this text (case-insensitive).");
    }
}

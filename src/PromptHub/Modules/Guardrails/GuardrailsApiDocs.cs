using System.Text.Json;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Guardrails;

sealed class GuardrailsApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        static JsonElement Config(object value) => JsonSerializer.SerializeToElement(value);
        docs.Body<GuardrailRequest>(["name", "type"],
            ("pii", "Redact e-mail addresses and phone numbers in the variables of support prompts",
                new GuardrailRequest("support-pii", "pii", Config(new { entities = new[] { PiiDetector.Email, PiiDetector.Phone } }), "redact",
                    new GuardrailScope(["support/"], null), true)),
            ("injection", "Block likely prompt injection everywhere",
                new GuardrailRequest("no-injection", "prompt_injection", Config(new { threshold = 0.8 }), "block", null, true)),
            ("blocklist", "Warn on words of a list",
                new GuardrailRequest("competitors", "blocklist", Config(new { terms = new[] { "Globex", "Initech" }, match = "word" }), "warn", null, true)),
            ("max-length", "Refuse very long variables",
                new GuardrailRequest("short-input", "max_length", Config(new { maxLength = 4000 }), "block", null, true)));
        docs.Body<GuardrailScope>([]);
        docs.Body<CheckRequest>(["text"],
            ("check", "What the active guardrails make of a text",
                new CheckRequest("Please reach me at jane.doe@example.com or +1 415 555 0100.", null)));

        docs.Parameter("id", "api/v1/guardrails", "The guardrail's id.")
            .Parameter("type", "api/v1/guardrails", "Only guardrails of this type: `pii`, `prompt_injection`, `blocklist` or `max_length`.")
            .Parameter("active", "api/v1/guardrails", "Only active (`true`) or inactive (`false`) guardrails.");
    }
}

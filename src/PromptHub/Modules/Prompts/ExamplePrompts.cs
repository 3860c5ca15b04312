using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Access;
using PromptHub.Platform;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// A few prompts a new project starts with when PromptHub:SeedExamples is on, so that a newcomer has
/// something to resolve, diff and roll back right away. Written through the registry like any upload.
/// </summary>
/// <remarks>The registry comes from the same scope as the creating transaction, so it writes on the same connection.</remarks>
sealed class ExamplePrompts(PromptRegistry registry, IOptions<PromptHubOptions> options) : IProjectSetup
{
    public async Task SetUpAsync(PromptHubDb db, Guid projectId, string author, CancellationToken ct)
    {
        if (!options.Value.SeedExamples) return;
        registry.WritingExamples = true;
        try
        {
            await WriteAsync(projectId, ct);
        }
        finally
        {
            registry.WritingExamples = false;
        }
    }

    async Task WriteAsync(Guid projectId, CancellationToken ct)
    {

        await registry.CreateAsync(projectId, "examples/greeting", PromptType.Text, "A friendly greeting.", ["example"], ct);
        await registry.UploadAsync(projectId, "examples/greeting", new VersionRequest(
            "Say hello to {{ name }} in one short sentence.", null,
            new JsonObject { ["model"] = "gpt-4o-mini", ["temperature"] = 0.7 }, "First wording", null), "examples", ct);
        await registry.UploadAsync(projectId, "examples/greeting", new VersionRequest(
            "Greet {{ name }} warmly{{ if company }} on behalf of {{ company }}{{ end }}, in one short sentence.", null,
            new JsonObject { ["model"] = "gpt-4o-mini", ["temperature"] = 0.7 }, "Mention the company when known", [PromptRules.Production]), "examples", ct);

        await registry.CreateAsync(projectId, "examples/support/triage", PromptType.Chat, "Routes a support ticket to a queue.", ["example", "support"], ct);
        await registry.UploadAsync(projectId, "examples/support/triage", new VersionRequest(null,
            [
                new ChatMessageRequest("system", "You triage support tickets for {{ product }}. Answer with one of: {{ queues | array.join ', ' }}."),
                new ChatMessageRequest("user", "{{ ticket }}"),
            ],
            new JsonObject { ["model"] = "gpt-4o", ["temperature"] = 0, ["max_tokens"] = 10 }, "Initial triage prompt", [PromptRules.Production]), "examples", ct);
    }
}

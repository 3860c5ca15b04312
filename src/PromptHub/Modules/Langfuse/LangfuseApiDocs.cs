using System.Text.Json;
using System.Text.Json.Nodes;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Langfuse;

sealed class LangfuseApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<LangfuseCreateRequest>(["name", "prompt"],
            ("text", "A text prompt, as Langfuse's SDKs send it ({{variable}} syntax)",
                new LangfuseCreateRequest("emails/subject", JsonSerializer.SerializeToElement("A subject line for {{topic}}"),
                    new JsonObject { ["model"] = "gpt-4o-mini" }, "text", ["production"], ["email"], "From the Langfuse SDK")));
        docs.AnyJson<LangfuseCreateRequest>("prompt");
        docs.Body<LangfuseUpdateRequest>(["newLabels"],
            ("labels", "Point production at this version", new LangfuseUpdateRequest(["production"])));
        docs.Errors<LangfuseError>(LangfuseModule.Root);
        docs.Parameter("name", "api/public/v2/prompts", "The prompt's name.", "emails/subject")
            .Parameter("path", "api/public/v2/prompts", "`{name}/versions/{version}`.", "emails/subject/versions/1");
    }
}

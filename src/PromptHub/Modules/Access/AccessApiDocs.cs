using PromptHub.Platform.Http;

namespace PromptHub.Modules.Access;

sealed class AccessApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<CreateKeyRequest>(["name", "role"],
            ("reader", "A key for an LLM service (resolve, render, report)", new CreateKeyRequest("support-bot", "reader")),
            ("ops", "A key for the jobs dashboard", new CreateKeyRequest("on-call", "ops")),
            ("admin", "Another admin key", new CreateKeyRequest("release-pipeline", "admin")));
        docs.Body<CreateProjectRequest>(["slug", "name"],
            ("project", "A project of its own (its data is invisible to this one's keys)", new CreateProjectRequest("mobile-app", "Mobile app")));
        docs.Policy(AccessPolicies.Admin, "admin")
            .Policy(AccessPolicies.Reader, "reader or admin");
        docs.Parameter("id", "api/v1/keys", "The key's id (from the list or the answer that created it), never its secret.");
    }
}

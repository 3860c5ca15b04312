using PromptHub.Platform.Http;

namespace PromptHub.Modules.Notifications;

sealed class NotificationsApiDocs : IModuleApiDocs
{
    public void Describe(ModuleApiDocs docs)
    {
        docs.Body<TestNotificationRequest>([],
            ("default", "To the default webhook (PromptHub:Discord:WebhookUrl)", new TestNotificationRequest(null)));
        foreach (var route in new[] { "api/v1/notifications", "api/v1/ops/notifications" })
        {
            docs.Parameter("id", route, "The outbox message's id.")
                .Parameter("state", route, "Only messages in this state: `pending`, `sending`, `delivered` or `failed`.");
        }
    }
}

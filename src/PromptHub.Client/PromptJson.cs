using System.Text.Json;

namespace PromptHub.Client;

/// <summary>The JSON conventions of PromptHub's API (camelCase), also used for template data.</summary>
static class PromptJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace PromptHub.Tests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>Asserts the status and returns the JSON body.</summary>
    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Asserts an RFC 7807 problem with that status and returns it.</summary>
    public static async Task<JsonNode> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)expected, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]), "a problem has a title");
        return problem;
    }

    public static Task<HttpResponseMessage> PutAsJsonAsync<T>(this HttpClient client, string url, T body) =>
        HttpClientJsonExtensions.PutAsJsonAsync(client, url, body);

    /// <summary>Retries an assertion until it passes or the time is up: for work done in the background.</summary>
    public static async Task EventuallyAsync(Func<Task> assertion, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}

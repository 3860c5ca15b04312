namespace PromptHub.Platform;

/// <summary>
/// `check-health [url]`: exits 0 when the app at the URL answers 200, else 1 with one line saying why.
/// The container's health check, since the .NET runtime image has neither curl nor wget.
/// </summary>
static class HealthProbe
{
    public const string Command = "check-health";
    const string DefaultUrl = "http://127.0.0.1:8080/health/ready"; // the image's ASPNETCORE_URLS

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? args[1] : DefaultUrl;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url);
            if (response.IsSuccessStatusCode) return 0;
            await Console.Error.WriteLineAsync($"{url} answered {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"{url} did not answer: {e.Message}");
        }
        return 1;
    }
}

using Microsoft.Extensions.DependencyInjection;
using PromptHub.Modules.Analytics;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Analytics;

static class AnalyticsApi
{
    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>A moment ago: today, unless the test runs in the first second of a UTC day.</summary>
    public static DateTimeOffset JustNow => DateTimeOffset.UtcNow.AddSeconds(-1);

    /// <summary>Noon (UTC) of the day <paramref name="daysAgo"/> days before today (at least 1), plus some minutes.</summary>
    public static DateTimeOffset At(int daysAgo, int minutes = 0) =>
        new DateTimeOffset(Today.AddDays(-daysAgo).ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc)).AddMinutes(minutes);

    public static object Execution(string id, string prompt, int version, DateTimeOffset at, double latencyMs = 100, bool success = true,
        int inputTokens = 10, int outputTokens = 20, decimal costUsd = 0.001m, double? score = null, string? error = null,
        string? experiment = null, string? variant = null) =>
        new { id, prompt, version, occurredAt = at, latencyMs, success, inputTokens, outputTokens, costUsd, score, error, experiment, variant, model = "gpt-4o-mini" };

    public static async Task<JsonNode> ReportAsync(this HttpClient client, params object[] executions) =>
        await (await client.PostAsJsonAsync("/api/v1/executions", new { executions })).ReadJsonAsync(HttpStatusCode.Accepted);

    public static Task<int> RollUpAsync(this AppFactory app, DateOnly day) =>
        app.Services.GetRequiredService<DailyRollUp>().RollUpAsync(day, null, CancellationToken.None);

    /// <summary>A text prompt with <paramref name="versions"/> versions.</summary>
    public static async Task PromptWithVersionsAsync(this HttpClient admin, string name, int versions)
    {
        await admin.CreatePromptAsync(name);
        for (var v = 1; v <= versions; v++) await admin.UploadAsync(name, new { template = $"version {v} of {name}" });
    }

    public static Task<long> ExecutionCountAsync(this AppFactory app) => app.ScalarAsync<long>("SELECT count(*) FROM analytics.executions");
}

namespace PromptHub.Tests.Analytics;

public sealed class AnalyticsIsolationTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_project_neither_reports_for_nor_reads_nor_changes_another_projects_executions()
    {
        var a = app.Admin();
        var b = app.As(await app.CreateProjectAsync("analytics-b"));
        await a.PromptWithVersionsAsync("iso/prompt", 1);
        await a.ReportAsync(AnalyticsApi.Execution("shared-id", "iso/prompt", 1, AnalyticsApi.JustNow));

        var report = await b.PostAsJsonAsync("/api/v1/executions", new { executions = new[] { AnalyticsApi.Execution("b-1", "iso/prompt", 1, AnalyticsApi.JustNow) } });
        await report.ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await b.GetAsync("/api/v1/analytics/prompts/iso%2Fprompt")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await b.PostAsJsonAsync("/api/v1/executions/shared-id/outcome", new { success = false })).ReadProblemAsync(HttpStatusCode.NotFound);
        var overview = await (await b.GetAsync("/api/v1/analytics/overview")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, (long)overview["totals"]!["executions"]!);

        // The same id in B's own project is B's own execution.
        await b.PromptWithVersionsAsync("iso/prompt", 1);
        var own = await b.ReportAsync(AnalyticsApi.Execution("shared-id", "iso/prompt", 1, AnalyticsApi.JustNow, success: false));
        Assert.Equal(1, (int)own["accepted"]!);
        Assert.True(await app.ScalarAsync<bool>("SELECT success FROM analytics.executions e JOIN access.projects p ON p.id = e.project_id WHERE p.slug = 'default' AND e.id = 'shared-id'"));
        var analyticsA = await (await a.GetAsync("/api/v1/analytics/prompts/iso%2Fprompt")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, (long)analyticsA["versions"]![0]!["totals"]!["successes"]!);
    }
}

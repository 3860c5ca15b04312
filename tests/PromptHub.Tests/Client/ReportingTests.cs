using PromptHub.Client;
using PromptHub.Tests.Experiments;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Client;

public sealed class ReportingTests(AppFactory app) : IClassFixture<AppFactory>
{
    Task<long> StoredAsync(string prompt, string where = "true") => app.ScalarAsync<long>($"""
        SELECT count(*) FROM analytics.executions e JOIN prompts.prompts p ON p.id = e.prompt_id WHERE p.name = '{prompt}' AND {where}
        """);

    [Fact]
    public async Task Executions_arrive_in_batches_tagged_with_their_variant_and_answers_lost_after_the_server_stored_them_count_once()
    {
        var admin = app.Admin();
        await admin.PromptInProductionAsync("client/report", versions: 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("client-report", "client/report"));
        // The answers to the 1st and 3rd batch are lost after the server stored them: the client sends those batches again.
        static bool LoseAnswer(HttpRequestMessage request, int n) => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/executions", StringComparison.Ordinal) && n is 1 or 3;
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"), o =>
        {
            o.Reporting.BatchSize = 50;
            o.Reporting.FlushInterval = TimeSpan.FromMilliseconds(300);
        }, loseAnswer: LoseAnswer);

        var assigned = new Dictionary<string, int>();
        for (var i = 0; i < 230; i++)
        {
            var prompt = await client.Hub.GetPromptAsync("client/report", subject: $"reporter-{i}");
            assigned[prompt.Experiment!.Variant] = assigned.GetValueOrDefault(prompt.Experiment.Variant) + 1;
            await using var run = client.Hub.StartExecution(prompt);
            run.Complete(success: i % 4 != 0, inputTokens: 100, outputTokens: 20, costUsd: 0.002m, score: 0.5, model: "gpt-4o-mini");
        }
        await client.Hub.FlushAsync();

        Assert.Equal(230, await StoredAsync("client/report"));
        foreach (var (variant, count) in assigned)
        {
            Assert.Equal(count, await StoredAsync("client/report", $"e.experiment = 'client-report' AND e.variant = '{variant}' AND e.subject LIKE 'reporter-%'"));
        }
        Assert.Equal(230 * 3 / 4, await StoredAsync("client/report", "e.success AND e.input_tokens = 100 AND e.model = 'gpt-4o-mini' AND e.latency_ms >= 0"));
        var posts = client.Responses.Where(r => r.Method == HttpMethod.Post && r.Path.EndsWith("/executions", StringComparison.Ordinal)).ToList();
        Assert.Equal(5 + 2, posts.Count); // 50, 50, 50, 50, 30, and the two lost batches again
        Assert.All(posts, p => Assert.Equal(HttpStatusCode.Accepted, p.Status));
        Assert.Equal(new ExecutionReportingCounts(0, 230, 100, 0, 0, 0), client.Hub.Reporting);
    }

    [Fact]
    public async Task Stopping_the_service_sends_the_executions_still_buffered()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("client/shutdown", "Hello {{name}}");
        await admin.ActivateAsync("client/shutdown", "production", 1);
        var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"), o =>
        {
            o.Reporting.BatchSize = 1000;
            o.Reporting.FlushInterval = TimeSpan.FromHours(1);
        });
        var prompt = await client.Hub.GetPromptAsync("client/shutdown");
        for (var i = 0; i < 40; i++) client.Hub.StartExecution(prompt).Complete(success: true);
        Assert.Equal(40, client.Hub.Reporting.Buffered);
        Assert.Equal(0, await StoredAsync("client/shutdown"));

        await client.Host.StopAsync();
        Assert.Equal(40, await StoredAsync("client/shutdown"));
        Assert.Equal(40, client.Hub.Reporting.Sent);
        client.Host.Dispose();
    }

    [Fact]
    public async Task An_execution_ended_by_an_exception_is_reported_as_failed()
    {
        var admin = app.Admin();
        await admin.CreateTextPromptAsync("client/thrown", "Hello");
        await admin.ActivateAsync("client/thrown", "production", 1);
        await using var client = await ClientHost.StartAsync(app, await app.CreateKeyAsync("reader"));
        var prompt = await client.Hub.GetPromptAsync("client/thrown");

        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await using var run = client.Hub.StartExecution(prompt);
            await Task.Yield();
            throw new TimeoutException("the model did not answer");
        });
        await client.Hub.FlushAsync();
        Assert.Equal(1, await StoredAsync("client/thrown", "NOT e.success AND e.error LIKE 'The execution ended without Complete%'"));
    }
}

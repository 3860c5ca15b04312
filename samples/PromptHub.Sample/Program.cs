// A miniature LLM service: it gets its prompts from PromptHub (cached, with fallbacks), renders them
// locally, "calls a model" (simulated: no model is needed to try this), and reports each execution in the
// background. Run the server first (`dotnet run --project src/PromptHub.Api`), make a reader key, then:
//   PromptHub__ApiKey=phk_… dotnet run --project samples/PromptHub.Sample
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptHub.Client;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
// BaseUrl, ApiKey and fallbacks come from configuration (appsettings.json, PromptHub__* variables, --PromptHub:…);
// the service also ships its own last-resort template.
builder.Services.AddPromptHubClient(o =>
    o.DefaultFallbacks["examples/support/triage"] = FallbackPrompt.Chat([new("system", "Answer with one queue: billing, tech or other."), new("user", "{{ ticket }}")]));

using var host = builder.Build();
await host.StartAsync();
var hub = host.Services.GetRequiredService<IPromptHub>();

string[] customers = ["ada", "grace", "linus", "margaret", "ken"];
foreach (var customer in customers)
{
    var greeting = await hub.GetPromptAsync("examples/greeting", subject: customer);
    var text = greeting.Render(new { name = customer, company = customer == "ada" ? "Analytical Engines" : null });
    await using (var run = hub.StartExecution(greeting))
    {
        var answer = await FakeModelAsync(text);
        run.Complete(success: true, inputTokens: text.Length / 4, outputTokens: answer.Length / 4, costUsd: 0.0001m, score: 1.0, response: answer);
    }
    Console.WriteLine($"{Describe(greeting)}\n    {text}");
}

var triage = await hub.GetPromptAsync("examples/support/triage", subject: "ticket-42");
var messages = triage.RenderMessages(new { product = "PromptHub", queues = new[] { "billing", "tech", "other" }, ticket = "I was charged twice." });
await using (var run = hub.StartExecution(triage))
{
    var answer = await FakeModelAsync(messages[^1].Content);
    run.Complete(success: answer.Length > 0, inputTokens: 60, outputTokens: 2, costUsd: 0.0002m);
}
Console.WriteLine(Describe(triage));
foreach (var message in messages) Console.WriteLine($"    {message.Role}: {message.Content}");

// Stopping the host sends the executions still buffered.
await host.StopAsync();
var counts = hub.Reporting;
Console.WriteLine($"executions: {counts.Sent} sent, {counts.Duplicates} duplicates, {counts.Dropped} dropped, {counts.Refused} refused, {counts.Unreported} of fallbacks not reported");
return counts.Dropped + counts.Refused == 0 ? 0 : 1;

static string Describe(Prompt p) =>
    $"{p.Name} v{p.Version?.ToString() ?? "-"} ({p.Label}, {p.Source}{(p.Experiment is { } e ? $", experiment {e.Key}: {e.Variant}" : "")}) model {p.Model ?? "-"}";

// Stands in for the LLM call: takes a little time and answers something.
static async Task<string> FakeModelAsync(string prompt)
{
    var timer = Stopwatch.StartNew();
    await Task.Delay(Random.Shared.Next(20, 60));
    return $"(a model's answer to {prompt.Length} characters, after {timer.ElapsedMilliseconds} ms)";
}

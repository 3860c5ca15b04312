using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Experiments;

/// <summary>Results over HTTP, from executions reported through the API.</summary>
public sealed class ResultsTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Results_show_each_variants_numbers_the_comparison_and_the_decision()
    {
        var admin = app.Admin();
        var reader = app.As(await app.CreateKeyAsync("reader"));
        await admin.PromptInProductionAsync("res/p", 2);
        await admin.RunAsync(ExperimentApi.TwoVariants("res", "res/p"));

        var empty = await reader.ResultsAsync("res");
        Assert.Equal("insufficient_data", (string)empty["decision"]!);
        Assert.Equal(0, (int)empty["variants"]![0]!["executions"]!);

        // 1000 subjects per variant, one execution each: control 120 successes, concise 150. Latency
        // alternates 100 / 300 ms in the control (mean 200, sample sd 100·√(1000/999)) and is 150 ms in concise.
        var control = ExperimentApi.SubjectsIn("res", [50, 50], 0, 1000);
        var concise = ExperimentApi.SubjectsIn("res", [50, 50], 1, 1000);
        await (await reader.ReportAsync(control.Select((s, i) => ExperimentApi.Execution($"c-{i}", "res/p", 1, "res", "control", s,
            success: i < 120, latencyMs: i % 2 == 0 ? 100 : 300, score: i % 2 == 0 ? 0.5 : 1.0)))).ReadJsonAsync(HttpStatusCode.Accepted);
        await (await reader.ReportAsync(concise.Select((s, i) => ExperimentApi.Execution($"t-{i}", "res/p", 2, "res", "concise", s,
            success: i < 150, latencyMs: 150, score: 0.75)))).ReadJsonAsync(HttpStatusCode.Accepted);

        var results = await reader.ResultsAsync("res");
        var c = results["variants"]![0]!;
        var t = results["variants"]![1]!;
        Assert.Equal(["control", "concise"], results["variants"]!.AsArray().Select(v => (string)v!["name"]!));
        Assert.True((bool)c["control"]!);
        Assert.Equal(1000, (int)c["executions"]!);
        Assert.Equal(1000, (int)c["subjects"]!);
        Assert.Equal(120, (int)c["successes"]!);
        Assert.Equal(0.12, (double)c["successRate"]!, 12);
        Assert.Equal(0.15, (double)t["successRate"]!, 12);
        Assert.Equal(200, (double)c["latencyMs"]!["mean"]!, 9);
        Assert.Equal(100 * Math.Sqrt(1000.0 / 999), (double)c["latencyMs"]!["sd"]!, 9);
        Assert.Equal(0.75, (double)c["score"]!["mean"]!, 12);
        Assert.Equal(1000, (int)c["score"]!["n"]!);
        Assert.Equal(30, (double)t["tokens"]!["mean"]!, 12);

        // Against the SciPy reference for 150/1000 vs 120/1000 (reference_values.py).
        var rate = t["vsControl"]!["successRate"]!;
        Assert.Equal(0.03, (double)rate["difference"]!, 12);
        Assert.Equal(7.602882129778554e-05, (double)rate["differenceCi"]!["low"]!, 9);
        Assert.Equal(0.05992397117870221, (double)rate["differenceCi"]!["high"]!, 9);
        Assert.Equal(0.25, (double)rate["lift"]!, 12);
        Assert.Equal(0.04964038686536878, (double)rate["pValue"]!, 9);
        Assert.Equal(0.04964038686536878, (double)rate["adjustedPValue"]!, 9);
        Assert.Equal(0.9750678368121447, (double)rate["chanceToBeatControl"]!, 9);
        Assert.Equal(-50, (double)t["vsControl"]!["latencyMs"]!["difference"]!, 9);
        Assert.Equal(0, (double)results["sampleRatio"]!["chiSquare"]!, 12);
        Assert.False((bool)results["sampleRatio"]!["flagged"]!);
        Assert.Equal("ship:concise", (string)results["decision"]!);
        Assert.Equal("successRate", (string)results["primaryMetric"]!);
    }
}

// Times GuardrailRun (what render runs between reading the variables and the template) on the given
// variables: with no guardrail (what render does for a project without any: nothing) and with each
// type alone and all four, alternating call by call so that the machine's drift falls on all alike.
// Usage: dotnet run -c Release --project bench/GuardrailCost -- <variables.json> [iterations]
using System.Diagnostics;
using System.Text.Json;
using PromptHub.Modules.Guardrails;

var variables = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(args[0]));
if (variables.TryGetProperty("variables", out var inner)) variables = inner;
var iterations = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;

var terms = Enumerable.Range(0, 49).Select(i => $"forbidden{i:00}").Append("competitor corp").ToArray();
CompiledGuardrail Make(GuardrailType type, GuardrailAction action, GuardrailSettings settings) =>
    new(Guid.NewGuid(), type.ToString(), type, settings, action, [], []);
var pii = Make(GuardrailType.Pii, GuardrailAction.Redact, new(Entities: PiiDetector.Entities));
var injection = Make(GuardrailType.PromptInjection, GuardrailAction.Warn, new(Threshold: 0.5));
var blocklist = Make(GuardrailType.Blocklist, GuardrailAction.Block, new(Terms: terms, Match: "word"));
var maxLength = Make(GuardrailType.MaxLength, GuardrailAction.Warn, new(MaxLength: 20_000));

var sets = new (string Name, CompiledGuardrail[] Guardrails)[]
{
    ("none", []), ("pii", [pii]), ("prompt_injection", [injection]), ("blocklist (50 terms)", [blocklist]),
    ("max_length", [maxLength]), ("all four", [pii, injection, blocklist, maxLength]),
};
var times = sets.Select(_ => new double[iterations]).ToArray();
for (var i = -2000; i < iterations; i++) // the first 2000 rounds warm up (tiered JIT)
{
    for (var s = 0; s < sets.Length; s++)
    {
        var started = Stopwatch.GetTimestamp();
        if (sets[s].Guardrails.Length > 0)
        {
            var values = new List<(string, string)>();
            GuardrailRules.Collect(variables, "", values);
            var run = GuardrailRun.Of(sets[s].Guardrails, values);
            GC.KeepAlive(run);
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        if (i >= 0) times[s][i] = elapsed;
    }
}
Console.WriteLine($"{iterations} calls each, alternating, on {variables.GetRawText().Length} bytes of variables");
Console.WriteLine("| guardrails | mean µs | p50 µs | p99 µs |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
for (var s = 0; s < sets.Length; s++)
{
    var sorted = times[s].Order().ToArray();
    Console.WriteLine($"| {sets[s].Name} | {sorted.Average():0.0} | {sorted[sorted.Length / 2]:0.0} | {sorted[(int)(sorted.Length * 0.99)]:0.0} |");
}

using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PromptHub.Modules.Serving;

// One measure: warm up, then time each render of the same 1 KB template with 6 variables.
var renders = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
var variables = JsonDocument.Parse("""
    {"name":"Ann","company":"Acme","user":{"city":"Oslo","plan":"pro"},"vip":true,"count":3,"tags":["billing","refund","urgent"]}
    """).RootElement;
var filler = string.Concat(Enumerable.Repeat("Answer briefly, politely and only about the ticket. ", 15));

#if HANDLEBARS
const string Engine = "handlebars";
var template = $"You help {{{{name}}}} of {{{{company}}}} ({{{{user.city}}}}, plan {{{{user.plan}}}}). {filler}" +
               "{{#if vip}}Priority customer. {{/if}}Open tickets: {{count}}. Tags: {{#each tags}}{{this}}, {{/each}}.";
var renderer = new TemplateRenderer(Options.Create(new ServingOptions()));
string Render() => renderer.Render(template, TemplateRenderer.ToData(variables), "template");
#else
const string Engine = "scriban";
var template = $"You help {{{{ name }}}} of {{{{ company }}}} ({{{{ user.city }}}}, plan {{{{ user.plan }}}}). {filler}" +
               "{{ if vip }}Priority customer. {{ end }}Open tickets: {{ count }}. Tags: {{ for t in tags }}{{ t }}, {{ end }}.";
var renderer = new TemplateRenderer(Options.Create(new ServingOptions()), new IncludeLoader());
var version = new ServedVersion(1, PromptHub.Modules.Prompts.PromptType.Text, PromptHub.Modules.Prompts.TemplateFormat.Scriban,
    template, null, "{}", [], []);
string Render() => renderer.Render(version, 0, TemplateRenderer.ToData(variables), PromptHub.Modules.Prompts.IncludeChain.Empty, "template");
#endif

var text = Render();
for (var i = 0; i < 20_000; i++) Render();
var times = new double[renders];
GC.Collect();
var allocated = GC.GetAllocatedBytesForCurrentThread();
for (var i = 0; i < renders; i++)
{
    var started = Stopwatch.GetTimestamp();
    Render();
    times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
}
var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)renders;
Array.Sort(times);
// One line: engine, template length, output length, p50 µs, p99 µs, bytes per render.
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
    $"{Engine} {template.Length} {text.Length} {times[renders / 2]:0.00} {times[renders * 99 / 100]:0.00} {bytes:0}"));

using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// Each project's active guardrails, compiled, in memory: loaded once per project (one query, shared by
/// every request that waits for it) and dropped when the change feed says the project's guardrails
/// changed, on every instance. A project without active guardrails costs render one dictionary lookup.
/// </summary>
sealed partial class GuardrailRules : IGuardrails, IChangeSubscriber
{
    /// <summary>The change-feed topic of guardrails; the key is `{projectId:N}`.</summary>
    public const string ChangeTopic = "guardrail";

    readonly ConcurrentDictionary<Guid, Lazy<Task<CompiledGuardrail[]>>> _projects = new();
    readonly NpgsqlDataSource _dataSource;
    readonly FindingCounts _counts;
    readonly ILogger<GuardrailRules> _log;

    public GuardrailRules(NpgsqlDataSource dataSource, ChangeFeed feed, FindingCounts counts, ILogger<GuardrailRules> log)
    {
        (_dataSource, _counts, _log) = (dataSource, counts, log);
        feed.Subscribe(this);
    }

    public async ValueTask<GuardedVariables?> ApplyAsync(Guid projectId, string prompt, IReadOnlyList<string> tags, JsonElement variables)
    {
        var active = await GetAsync(projectId);
        if (active.Length == 0) return null;
        var inScope = Array.FindAll(active, g => g.AppliesTo(prompt, tags));
        if (inScope.Length == 0) return null;

        var values = new List<(string Path, string Value)>();
        if (variables.ValueKind == JsonValueKind.Object) Collect(variables, "", values);
        var run = GuardrailRun.Of(inScope, values);
        if (run.Findings.Count == 0) return null;

        foreach (var finding in run.Findings)
        {
            _counts.Add(projectId, finding.GuardrailId, finding.Guardrail.Action);
            if (finding.Guardrail.Action == GuardrailAction.Log)
            {
                LogFinding(prompt, finding.View.Guardrail, finding.View.Type, finding.View.Entity, finding.View.Variable, finding.View.Start, finding.View.Length, finding.View.Preview);
            }
        }
        var shown = run.Findings.Where(f => f.Guardrail.Action != GuardrailAction.Log).Select(f => f.View).ToList();
        if (run.Blocked)
        {
            var first = run.Findings.First(f => f.Guardrail.Action == GuardrailAction.Block).View;
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Blocked by a guardrail",
                $"Guardrail '{first.Guardrail}' found {first.Entity} in '{first.Variable}'; the prompt was not rendered.",
                new Dictionary<string, string[]> { ["variables"] = [.. shown.Where(f => f.Action == "block").Select(f => $"'{f.Variable}': {f.Entity} ({f.Guardrail})")] })
            {
                Extensions = { ["guardrails"] = shown },
            };
        }
        var rendered = run.Replacements.Count == 0 ? variables : Rewrite(variables, run.Replacements);
        return new GuardedVariables(rendered, shown);
    }

    [LoggerMessage(LogLevel.Information, "Guardrail {Guardrail} ({Type}) found {Entity} in {Variable} at {Start}+{Length} rendering {Prompt}: {Preview}")]
    partial void LogFinding(string prompt, string guardrail, string type, string entity, string variable, int start, int length, string preview);

    /// <summary>Every string value with its path, in document order.</summary>
    public static void Collect(JsonElement element, string path, List<(string Path, string Value)> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Collect(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", values);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Collect(item, $"{path}[{i++}]", values);
                break;
            case JsonValueKind.String:
                values.Add((path, element.GetString()!));
                break;
        }
    }

    /// <summary>The same JSON with the string values of <paramref name="replacements"/> (by their place in document order) replaced.</summary>
    static JsonElement Rewrite(JsonElement variables, Dictionary<int, string> replacements)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var index = 0;
            Write(variables, writer, replacements, ref index);
        }
        return JsonSerializer.Deserialize<JsonElement>(buffer.WrittenSpan);
    }

    static void Write(JsonElement element, Utf8JsonWriter writer, Dictionary<int, string> replacements, ref int index)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, writer, replacements, ref index);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(item, writer, replacements, ref index);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                if (replacements.TryGetValue(index++, out var replaced)) writer.WriteStringValue(replaced);
                else element.WriteTo(writer);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>The project's active guardrails, for trying them on a text (scope does not apply there).</summary>
    public async Task<CompiledGuardrail[]> ActiveAsync(Guid projectId) => await GetAsync(projectId);

    ValueTask<CompiledGuardrail[]> GetAsync(Guid projectId)
    {
        var entry = _projects.GetOrAdd(projectId, id => new Lazy<Task<CompiledGuardrail[]>>(() => LoadAsync(id)));
        var load = entry.Value;
        return load.IsCompletedSuccessfully ? new(load.Result) : AwaitLoad(projectId, entry, load);
    }

    async ValueTask<CompiledGuardrail[]> AwaitLoad(Guid projectId, Lazy<Task<CompiledGuardrail[]>> entry, Task<CompiledGuardrail[]> load)
    {
        try
        {
            return await load;
        }
        catch
        {
            _projects.TryRemove(KeyValuePair.Create(projectId, entry)); // the next request tries again
            throw;
        }
    }

    async Task<CompiledGuardrail[]> LoadAsync(Guid projectId)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT id, name, type, config::text, action, scope_prompts, scope_tags
            FROM guardrails.guardrails WHERE project_id = $1 AND active ORDER BY created_at, id
            """);
        command.Parameters.AddWithValue(projectId);
        await using var reader = await command.ExecuteReaderAsync();
        var compiled = new List<CompiledGuardrail>();
        while (await reader.ReadAsync())
        {
            compiled.Add(new CompiledGuardrail(reader.GetGuid(0), reader.GetString(1),
                Guardrail.Parse<GuardrailType>(reader.GetString(2))!.Value, GuardrailSettings.FromJson(reader.GetString(3)),
                Guardrail.Parse<GuardrailAction>(reader.GetString(4))!.Value, reader.GetFieldValue<string[]>(5), reader.GetFieldValue<string[]>(6)));
        }
        return [.. compiled];
    }

    public void Changed(string topic, string key)
    {
        if (topic == ChangeTopic && Guid.TryParseExact(key, "N", out var projectId)) _projects.TryRemove(projectId, out _);
    }

    public void Reset() => _projects.Clear();
}

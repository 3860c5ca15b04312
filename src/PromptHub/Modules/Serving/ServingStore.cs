using Npgsql;
using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Serving;

/// <summary>A version as served: its content, plus what serving computes from it once and keeps.</summary>
sealed class ServedVersion(int version, PromptType type, TemplateFormat format, string? template, IReadOnlyList<ChatMessage>? messages,
    string config, string[] variables, PromptReference[] includes)
{
    public int Version { get; } = version;
    public PromptType Type { get; } = type;
    public TemplateFormat Format { get; } = format;
    public string? Template { get; } = template;
    public IReadOnlyList<ChatMessage>? Messages { get; } = messages;
    /// <summary>The config object as JSON text, written into answers as it is.</summary>
    public string Config { get; } = config;
    public string[] Variables { get; } = variables;
    public PromptReference[] Includes { get; } = includes;

    /// <summary>The template, or each message's, parsed on the first render (<see cref="TemplateRenderer"/>).</summary>
    public Scriban.Template[]? Parsed { get; set; }

    /// <summary>Resolve answers already built for this version, by how it was asked for.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, ResolvedContent> Answers { get; } = new(StringComparer.Ordinal);
}

/// <summary>A prompt as served: its labels and the versions they (and `latest`) point at.</summary>
sealed class ServedPrompt(Guid id, Guid projectId, string name, PromptType type, int latestVersion, IReadOnlyDictionary<string, int> labels,
    string[] tags)
{
    public Guid Id { get; } = id;
    public Guid ProjectId { get; } = projectId;
    public string Name { get; } = name;
    public PromptType Type { get; } = type;
    public int LatestVersion { get; } = latestVersion;
    public IReadOnlyDictionary<string, int> Labels { get; } = labels;
    /// <summary>The prompt's tags, which guardrail scopes select by.</summary>
    public string[] Tags { get; } = tags;

    /// <summary>Versions loaded so far; the label targets and the latest come with the prompt.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, Task<ServedVersion?>> Versions { get; } = new();

    /// <summary>What other modules may know of it (<see cref="IPromptCatalog"/>).</summary>
    public CatalogPrompt Catalog => field ??= new CatalogPrompt(Id, Name, Type, LatestVersion, Labels);

    public int? TargetOf(string label) => label == PromptRules.Latest
        ? (LatestVersion == 0 ? null : LatestVersion)
        : Labels.TryGetValue(label, out var version) ? version : null;
}

/// <summary>Reads what serving needs straight from PostgreSQL: one round trip per prompt, one per extra version.</summary>
sealed class ServingStore(NpgsqlDataSource dataSource)
{
    long _loads;

    /// <summary>How many times a prompt was read from the database (for tests and diagnostics).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    const string PromptQuery = """
        SELECT p.id, p.type, p.latest_version,
               coalesce((SELECT jsonb_object_agg(l.name, l.version) FROM prompts.labels l WHERE l.prompt_id = p.id), '{}')::text,
               v.version, v.type, v.template_format, v.template, v.messages::text, v.config::text, v.variables, v.includes, p.tags
        FROM prompts.prompts p
        LEFT JOIN prompts.prompt_versions v ON v.prompt_id = p.id
             AND (v.version = p.latest_version OR v.version IN (SELECT l.version FROM prompts.labels l WHERE l.prompt_id = p.id))
        WHERE p.project_id = $1 AND p.name = $2 AND p.archived_at IS NULL
        """;

    const string VersionQuery = """
        SELECT v.version, v.type, v.template_format, v.template, v.messages::text, v.config::text, v.variables, v.includes
        FROM prompts.prompt_versions v WHERE v.prompt_id = $1 AND v.version = $2
        """;

    /// <returns>null when the project has no live prompt of that name.</returns>
    public async Task<ServedPrompt?> LoadPromptAsync(Guid projectId, string name, CancellationToken ct)
    {
        Interlocked.Increment(ref _loads);
        await using var command = dataSource.CreateCommand(PromptQuery);
        command.Parameters.AddWithValue(projectId);
        command.Parameters.AddWithValue(name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        ServedPrompt? prompt = null;
        while (await reader.ReadAsync(ct))
        {
            prompt ??= new ServedPrompt(reader.GetGuid(0), projectId, name, ParseType(reader.GetString(1)), reader.GetInt32(2),
                System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(3))!, reader.GetFieldValue<string[]>(reader.FieldCount - 1)); // p.tags, the last column
            if (!reader.IsDBNull(4))
            {
                var version = ReadVersion(reader, 4);
                prompt.Versions[version.Version] = Task.FromResult<ServedVersion?>(version);
            }
        }
        return prompt;
    }

    public async Task<ServedVersion?> LoadVersionAsync(Guid promptId, int version, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(VersionQuery);
        command.Parameters.AddWithValue(promptId);
        command.Parameters.AddWithValue(version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadVersion(reader, 0) : null;
    }

    static ServedVersion ReadVersion(NpgsqlDataReader reader, int first) => new(
        reader.GetInt32(first),
        ParseType(reader.GetString(first + 1)),
        TemplateLanguage.ParseName(reader.GetString(first + 2)) ?? TemplateFormat.Scriban,
        reader.IsDBNull(first + 3) ? null : reader.GetString(first + 3),
        reader.IsDBNull(first + 4) ? null : VersionContent.ParseMessages(reader.GetString(first + 4)),
        VersionContent.CanonicalJson(System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(first + 5))), // compact, keys sorted
        reader.GetFieldValue<string[]>(first + 6),
        [.. reader.GetFieldValue<string[]>(first + 7).Select(i => PromptReference.Parse(i)!)]);

    static PromptType ParseType(string text) => text == "chat" ? PromptType.Chat : PromptType.Text;
}

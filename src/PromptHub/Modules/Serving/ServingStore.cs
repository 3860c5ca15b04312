using Npgsql;
using PromptHub.Modules.Prompts;

namespace PromptHub.Modules.Serving;

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
        reader.IsDBNull(first + 4) ? null : VersionColumns.Messages(reader.GetString(first + 4)),
        VersionColumns.Config(reader.GetString(first + 5)),
        reader.GetFieldValue<string[]>(first + 6),
        [.. reader.GetFieldValue<string[]>(first + 7).Select(i => PromptInclude.Parse(i)!)]);

    static PromptType ParseType(string text) => text == "chat" ? PromptType.Chat : PromptType.Text;
}

using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Prompts;

/// <summary>The registry's reads for other modules (<see cref="IPromptReader"/>): live prompts only, as records.</summary>
sealed class PromptReads(PromptHubDb db, NpgsqlDataSource dataSource) : IPromptReader
{
    public async Task<StoredPromptVersion?> FindAsync(Guid projectId, string name, int? version, CancellationToken ct)
    {
        // One round trip: the prompt, the version asked for (if any) and the labels. (The sets are locals:
        // an expression tree cannot name an extension property.)
        var (versions, labels) = (db.PromptVersions, db.Labels);
        var row = await (from p in db.Prompts.AsNoTracking()
                         where p.ProjectId == projectId && p.Name == name && p.ArchivedAt == null
                         // Versions count from 1: with none asked for, the join finds nothing.
                         join v in versions.AsNoTracking() on new { Id = p.Id, Version = version ?? 0 } equals new { Id = v.PromptId, v.Version } into found
                         from v in found.DefaultIfEmpty()
                         select new { Prompt = p, Version = v, Labels = labels.Where(l => l.PromptId == p.Id).Select(l => new { l.Name, l.Version }).ToList() })
            .AsSingleQuery()
            .SingleOrDefaultAsync(ct);
        return row is null
            ? null
            : new StoredPromptVersion(Stored(row.Prompt, row.Labels.ToDictionary(l => l.Name, l => l.Version)), row.Version is null ? null : Stored(row.Version));
    }

    public async Task<IReadOnlyList<StoredPromptVersion>> AtLabelAsync(Guid projectId, string? label, CancellationToken ct)
    {
        var prompts = db.Prompts.AsNoTracking().Where(p => p.ProjectId == projectId && p.ArchivedAt == null && p.LatestVersion > 0);
        var targets = label is null or PromptRules.Latest
            ? prompts.Select(p => new { Prompt = p, Version = p.LatestVersion })
            : from p in prompts
              join l in db.Labels on p.Id equals l.PromptId
              where l.Name == label
              select new { Prompt = p, l.Version };
        var rows = await (from t in targets
                          join v in db.PromptVersions.AsNoTracking() on new { Id = t.Prompt.Id, t.Version } equals new { Id = v.PromptId, v.Version }
                          orderby t.Prompt.Name
                          select new { t.Prompt, Version = v }).ToListAsync(ct);
        var ids = rows.Select(r => r.Prompt.Id).ToList();
        var labels = (await db.Labels.AsNoTracking().Where(l => ids.Contains(l.PromptId)).Select(l => new { l.PromptId, l.Name, l.Version }).ToListAsync(ct))
            .ToLookup(l => l.PromptId);
        return [.. rows.Select(r => new StoredPromptVersion(Stored(r.Prompt, labels[r.Prompt.Id].ToDictionary(l => l.Name, l => l.Version)), Stored(r.Version)))];
    }

    public async Task<MatchedPage> MatchAsync(Guid projectId, VersionFilter filter, int page, int pageSize, CancellationToken ct)
    {
        // Filtered, grouped, counted and paged in SQL: a listing never loads more than its page.
        const string sql = """
            WITH matching AS (
                SELECT p.id, p.name, p.type, p.tags, p.latest_version, v.version, v.config::text AS config, v.created_at
                FROM prompts.prompts p
                JOIN prompts.prompt_versions v ON v.prompt_id = p.id
                WHERE p.project_id = $1 AND p.archived_at IS NULL
                  AND ($2::text IS NULL OR p.name = $2)
                  AND ($3::text IS NULL OR $3 = ANY (p.tags))
                  AND ($4::text IS NULL
                       OR ($4 = 'latest' AND v.version = p.latest_version)
                       OR EXISTS (SELECT 1 FROM prompts.labels l WHERE l.prompt_id = p.id AND l.name = $4 AND l.version = v.version))
                  AND ($5::timestamptz IS NULL OR v.created_at >= $5)
                  AND ($6::timestamptz IS NULL OR v.created_at < $6)
            ),
            counted AS (SELECT count(DISTINCT id)::int AS total FROM matching),
            page AS (
                SELECT id, name, type, tags, latest_version,
                       array_agg(version ORDER BY version) AS versions,
                       max(created_at) AS last_updated_at,
                       (array_agg(config ORDER BY version DESC))[1] AS last_config
                FROM matching
                GROUP BY id, name, type, tags, latest_version
                ORDER BY name COLLATE "C"
                LIMIT $7 OFFSET $8
            )
            SELECT counted.total, page.name, page.type, page.tags, page.versions, page.last_updated_at, page.last_config,
                   coalesce((SELECT array_agg(l.name ORDER BY l.name COLLATE "C") FROM prompts.labels l
                             WHERE l.prompt_id = page.id AND l.version = ANY (page.versions)), '{}')
                   || CASE WHEN page.latest_version = ANY (page.versions) THEN ARRAY['latest']::varchar[] ELSE '{}' END
            FROM counted LEFT JOIN page ON true
            ORDER BY page.name COLLATE "C"
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = projectId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Name ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Tag ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Label ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.From ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.To ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = pageSize });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)(page - 1) * pageSize });

        var total = 0;
        var items = new List<MatchedPrompt>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            total = reader.GetInt32(0);
            if (reader.IsDBNull(1)) continue; // the count's row when the page is empty
            items.Add(new MatchedPrompt(reader.GetString(1), reader.GetString(2) == "chat" ? PromptType.Chat : PromptType.Text,
                reader.GetFieldValue<int[]>(4), reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6)));
        }
        return new MatchedPage(items, total);
    }

    static StoredPrompt Stored(Prompt prompt, IReadOnlyDictionary<string, int> labels) =>
        new(prompt.Id, prompt.Name, prompt.Type, prompt.Description, prompt.Tags, prompt.LatestVersion, labels);

    static StoredVersion Stored(PromptVersion version)
    {
        var content = version.Content();
        return new StoredVersion(version.Version, version.Type, version.TemplateFormat, version.Template, content.Messages, content.Config,
            version.CommitMessage, version.CreatedAt);
    }
}

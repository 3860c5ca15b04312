namespace PromptHub.Modules.Prompts;

/// <summary>A named prompt of a project; its content lives in immutable versions.</summary>
public sealed class Prompt
{
    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public string Name { get; private set; } = "";
    public PromptType Type { get; private set; }
    public string? Description { get; private set; }
    public string[] Tags { get; private set; } = [];
    /// <summary>The highest version number; 0 before the first upload. Incremented under the row lock.</summary>
    public int LatestVersion { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? ArchivedAt { get; private set; }

    public static Prompt Create(Guid projectId, string name, PromptType type, string? description, string[] tags, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = projectId,
            Name = name,
            Type = type,
            Description = description,
            Tags = tags,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>The next version, derived from <paramref name="previous"/> (the latest one, if any).</summary>
    public PromptVersion AddVersion(VersionContent content, VersionContent? previous, string? commitMessage, string author, DateTimeOffset now)
    {
        var parent = LatestVersion == 0 ? (int?)null : LatestVersion;
        LatestVersion++;
        UpdatedAt = now;
        return PromptVersion.Create(this, LatestVersion, parent, content, content.ChangeFrom(previous), commitMessage, author, now);
    }

    /// <summary>Tags belong to the prompt, not a version (Langfuse's create replaces them when it is given some).</summary>
    public void ReplaceTags(string[] tags, DateTimeOffset now)
    {
        if (Tags.SequenceEqual(tags, StringComparer.Ordinal)) return;
        Tags = tags;
        UpdatedAt = now;
    }

    /// <summary>What other modules see of this prompt.</summary>
    public PromptInfo Info() => new(Id, ProjectId, Name, Type, Tags, LatestVersion);

    public void Archive(DateTimeOffset now)
    {
        ArchivedAt = now;
        UpdatedAt = now;
    }
}

using System.Text.RegularExpressions;

namespace PromptHub.Modules.Prompts;

public enum PromptType
{
    Text,
    Chat,
}

public enum ChangeType
{
    Initial,
    Prompt,
    Config,
    Both,
    /// <summary>Identical to the version before: no version is created.</summary>
    None,
}

/// <summary>A named prompt of a project; its content lives in immutable versions.</summary>
public sealed partial class Prompt
{
    public const int MaxNameLength = 128;

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

    public void Archive(DateTimeOffset now)
    {
        ArchivedAt = now;
        UpdatedAt = now;
    }

    /// <summary>
    /// 1–128 characters of A-Z a-z 0-9 . _ - /, where slashes make folders: no leading, trailing or
    /// double slash, and no `.` or `..` folder.
    /// </summary>
    public static string? NameError(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "is required";
        if (name.Length > MaxNameLength) return $"must be at most {MaxNameLength} characters";
        if (!NamePattern().IsMatch(name)) return "may contain only A-Z, a-z, 0-9, '.', '_', '-' and '/' (folders), with no leading, trailing or double '/'";
        if (name.Split('/').Any(segment => segment is "." or "..")) return "must not contain '.' or '..' folders";
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")]
    private static partial Regex NamePattern();
}

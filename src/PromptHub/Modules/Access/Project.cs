using System.Text.RegularExpressions;

namespace PromptHub.Modules.Access;

/// <summary>A tenant: every key, prompt and row belongs to exactly one project.</summary>
public sealed partial class Project
{
    public Guid Id { get; private set; }
    public string Slug { get; private set; } = "";
    public string Name { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public static Project Create(string slug, string name, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Slug = slug, Name = name, CreatedAt = now };

    public static bool IsValidSlug(string? slug) => slug is not null && SlugPattern().IsMatch(slug);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();
}

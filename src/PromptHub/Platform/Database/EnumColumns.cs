using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using PromptHub.Platform;

namespace PromptHub.Platform.Database;

static class EnumColumns
{
    /// <summary>Stores an enum as its lower-case name (`text`, `chat`), readable in SQL and in check constraints.</summary>
    public static PropertyBuilder<T> AsLowerCaseText<T>(this PropertyBuilder<T> property) where T : struct, Enum =>
        property.HasMaxLength(16).HasConversion(value => EnumText.Lower(value), text => Enum.Parse<T>(text, true));

    public static string CheckIn<T>(string column) where T : struct, Enum =>
        $"{column} IN ({string.Join(", ", Enum.GetNames<T>().Select(n => $"'{n.ToLowerInvariant()}'"))})";
}

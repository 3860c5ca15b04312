namespace PromptHub.Platform;

/// <summary>An enum's wire text: its name in lower case (`text`, `chat`, `production`), as answers, columns and payloads carry it.</summary>
public static class EnumText
{
    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

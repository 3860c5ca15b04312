namespace PromptHub.Modules.Analytics;

/// <summary>A UTC day whose raw executions have been rolled up (for every project): analytics read it from the daily stats.</summary>
sealed class RolledUpDay
{
    public DateOnly Day { get; private set; }
    public DateTimeOffset RolledUpAt { get; private set; }
}

namespace PromptHub.Modules.Analytics;

/// <summary>A past day that received executions or outcomes after it was rolled up: to roll up again.</summary>
sealed class DayToRollUp
{
    public DateOnly Day { get; private set; }
    /// <summary>When the latest such execution or outcome arrived.</summary>
    public DateTimeOffset ChangedAt { get; private set; }
}

namespace PromptHub.Modules.Analytics;

/// <summary>Per project, prompt, version, experiment variant and UTC day: written only by <see cref="DailyRollUp"/>.</summary>
sealed class DailyStat
{
    public Guid ProjectId { get; private set; }
    public Guid PromptId { get; private set; }
    public int Version { get; private set; }
    /// <summary>Empty when the executions were not part of an experiment.</summary>
    public string Experiment { get; private set; } = "";
    public string Variant { get; private set; } = "";
    public DateOnly Day { get; private set; }
    public long Executions { get; private set; }
    public long Successes { get; private set; }
    public long Errors { get; private set; }
    public double LatencyAvgMs { get; private set; }
    public double LatencyP50Ms { get; private set; }
    public double LatencyP95Ms { get; private set; }
    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }
    public decimal CostUsd { get; private set; }
    public double ScoreSum { get; private set; }
    public long ScoreCount { get; private set; }
    public double ValueSum { get; private set; }
    public long ValueCount { get; private set; }
}

using Microsoft.Extensions.Configuration;

namespace PromptHub.Modules.Analytics;

/// <summary>PromptHub:Analytics.</summary>
public sealed class AnalyticsOptions
{
    /// <summary>Raw executions older than this are removed; the daily stats stay.</summary>
    public int RetentionDays { get; set; } = 90;
    /// <summary>Longest rendered prompt or response kept for the audit log, in characters.</summary>
    public int MaxAuditCharacters { get; set; } = 32_768;
    /// <summary>How far in the future (clock skew) an execution's time may be.</summary>
    public int MaxClockSkewSeconds { get; set; } = 300;
    /// <summary>PostgreSQL work_mem of the daily roll-up (per sort, and per parallel worker). The key keeps its first name.</summary>
    [ConfigurationKeyName("AggregationWorkMem")]
    public string RollUpWorkMem { get; set; } = "512MB";
}

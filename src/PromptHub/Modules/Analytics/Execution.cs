namespace PromptHub.Modules.Analytics;

/// <summary>
/// One use of a prompt version by an LLM service. Written in bulk by <see cref="ExecutionIngest"/>
/// (column arrays unnested into one INSERT), read and rolled up with SQL; the entity exists for the schema.
/// </summary>
sealed partial class Execution
{
    /// <summary>Ids travel in paths (`/executions/{id}/outcome`): letters, digits and `._:@-`, up to 128.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._:@-]{1,128}$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    public Guid ProjectId { get; private set; }
    /// <summary>The client's id for it: the idempotency key.</summary>
    public string Id { get; private set; } = "";
    public Guid PromptId { get; private set; }
    public int Version { get; private set; }
    public string? Label { get; private set; }
    public string? Experiment { get; private set; }
    public string? Variant { get; private set; }
    public string? Subject { get; private set; }
    public double LatencyMs { get; private set; }
    public int InputTokens { get; private set; }
    public int OutputTokens { get; private set; }
    public decimal CostUsd { get; private set; }
    public string? Model { get; private set; }
    public bool Success { get; private set; }
    public double? Score { get; private set; }
    /// <summary>A business value reported with the outcome (a trade's R-multiple, a rating…).</summary>
    public double? Value { get; private set; }
    public string? Error { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public string? RenderedPrompt { get; private set; }
    public string? Response { get; private set; }
    public string? Metadata { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
    public DateTimeOffset? OutcomeAt { get; private set; }
}

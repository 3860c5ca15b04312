namespace PromptHub.Modules.Experiments;

/// <summary>`PromptHub:Experiments`, checked at start-up.</summary>
public sealed class ExperimentsOptions
{
    /// <summary>The default of an experiment's minSamplesPerVariant: below it, results say insufficient_data.</summary>
    public int MinSamplesPerVariant { get; set; } = 100;
    /// <summary>The significance level of the decision (on Holm-adjusted p-values of the primary metric).</summary>
    public double Alpha { get; set; } = 0.05;
    /// <summary>Most variants an experiment may have.</summary>
    public int MaxVariants { get; set; } = 10;

    public IEnumerable<string> Problems()
    {
        if (MinSamplesPerVariant is < 1 or > 1_000_000) yield return "PromptHub:Experiments:MinSamplesPerVariant must be between 1 and 1000000";
        if (!(Alpha is > 0 and < 0.5)) yield return "PromptHub:Experiments:Alpha must be above 0 and below 0.5";
        if (MaxVariants is < 2 or > 26) yield return "PromptHub:Experiments:MaxVariants must be between 2 and 26";
    }
}

using PromptHub.Modules.Prompts;

using PromptHub.Platform;

namespace PromptHub.Modules.Experiments;

/// <summary>A variant as sent: weights are read as numbers so that 12.5 is refused by name rather than as a type error.</summary>
public sealed record VariantRequest(string? Name, int? Version, decimal? Weight);

public sealed record CreateExperimentRequest(string? Key, string? Prompt, string? Label, string? Description, VariantRequest?[]? Variants,
    string? Seed, string? PrimaryMetric, int? MinSamplesPerVariant);

public sealed record StopExperimentRequest(string? Promote, string? Reason);

public sealed record StartRolloutRequest(int? Version, decimal? Percent, string? Reason, string? Key);

public sealed record ChangeRolloutRequest(decimal? Percent, string? Reason);

public sealed record EndRolloutRequest(string? Reason);

public sealed record VariantView(string Name, int Version, int Weight);

public sealed record ExperimentView(
    string Key, string Kind, string Prompt, string Label, string? Description, string Status, string Seed, string PrimaryMetric,
    int MinSamplesPerVariant, IReadOnlyList<VariantView> Variants, string? Winner, string? Reason,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? StartedAt, string? StartedBy, DateTimeOffset? StoppedAt, string? StoppedBy);

static class ExperimentViews
{
    public static ExperimentView ToView(Experiment e) => new(
        e.Key, EnumText.Lower(e.Kind), e.PromptName, e.Label, e.Description, EnumText.Lower(e.Status), e.Seed, ExperimentResults.Camel(e.PrimaryMetric),
        e.MinSamplesPerVariant, [.. e.Variants.Select(v => new VariantView(v.Name, v.Version, v.Weight))], e.Winner, e.StopReason,
        e.CreatedAt, e.CreatedBy, e.StartedAt, e.StartedBy, e.StoppedAt, e.StoppedBy);
}

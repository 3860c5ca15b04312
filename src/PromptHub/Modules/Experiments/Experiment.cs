using System.Text.RegularExpressions;

namespace PromptHub.Modules.Experiments;

public enum ExperimentStatus
{
    Draft,
    Running,
    Stopped,
}

public enum ExperimentKind
{
    /// <summary>Variants chosen by an admin, compared on a primary metric.</summary>
    Experiment,
    /// <summary>The label's current target (control) and a candidate whose share an admin raises.</summary>
    Rollout,
}

/// <summary>What results compare the variants on; "better" is higher for success rate and score, lower for the rest.</summary>
public enum ExperimentMetric
{
    SuccessRate,
    Score,
    LatencyMs,
    Tokens,
    CostUsd,
}

/// <summary>A variant: a name, the version it serves and its whole-number share of subjects (the weights sum to 100).</summary>
public sealed record ExperimentVariant(string Name, int Version, int Weight);

/// <summary>
/// An experiment (or rollout) on one prompt's label: `draft → running → stopped`. Its seed and, for an
/// experiment, its weights never change once running; a rollout's candidate share may, keeping the seed,
/// so that subjects already given the candidate keep it as the share grows.
/// </summary>
public sealed partial class Experiment
{
    public const int MaxKeyLength = 64;
    public const string ControlName = "control";
    public const string CandidateName = "candidate";

    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public string Key { get; private set; } = "";
    public ExperimentKind Kind { get; private set; }
    public Guid PromptId { get; private set; }
    /// <summary>The prompt's name when the experiment was made (names never change).</summary>
    public string PromptName { get; private set; } = "";
    public string Label { get; private set; } = "";
    public string? Description { get; private set; }
    public string Seed { get; private set; } = "";
    public ExperimentMetric PrimaryMetric { get; private set; }
    public int MinSamplesPerVariant { get; private set; }
    public ExperimentStatus Status { get; private set; }
    /// <summary>In stored order; the first is the control.</summary>
    public ExperimentVariant[] Variants { get; private set; } = [];
    /// <summary>A rollout's candidate shares, in the order they were used (an execution may come from any of them).</summary>
    public int[] RolloutPercents { get; private set; } = [];
    public string? Winner { get; private set; }
    public string? StopReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTimeOffset? StartedAt { get; private set; }
    public string? StartedBy { get; private set; }
    public DateTimeOffset? StoppedAt { get; private set; }
    public string? StoppedBy { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static Experiment Create(Guid projectId, string key, ExperimentKind kind, Guid promptId, string promptName, string label, string? description,
        string seed, ExperimentMetric metric, int minSamplesPerVariant, ExperimentVariant[] variants, string actor, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = projectId,
            Key = key,
            Kind = kind,
            PromptId = promptId,
            PromptName = promptName,
            Label = label,
            Description = description,
            Seed = seed,
            PrimaryMetric = metric,
            MinSamplesPerVariant = minSamplesPerVariant,
            Status = ExperimentStatus.Draft,
            Variants = variants,
            RolloutPercents = kind == ExperimentKind.Rollout ? [variants[1].Weight] : [],
            CreatedAt = now,
            CreatedBy = actor,
            UpdatedAt = now,
        };

    public void Start(string actor, DateTimeOffset now)
    {
        Status = ExperimentStatus.Running;
        StartedAt = now;
        StartedBy = actor;
        UpdatedAt = now;
    }

    public void Stop(string? winner, string? reason, string actor, DateTimeOffset now)
    {
        Status = ExperimentStatus.Stopped;
        Winner = winner;
        StopReason = reason;
        StoppedAt = now;
        StoppedBy = actor;
        UpdatedAt = now;
    }

    /// <summary>A rollout's new candidate share; the control gets the rest.</summary>
    public void SetCandidatePercent(int percent, DateTimeOffset now)
    {
        Variants = [Variants[0] with { Weight = 100 - percent }, Variants[1] with { Weight = percent }];
        if (!RolloutPercents.Contains(percent)) RolloutPercents = [.. RolloutPercents, percent];
        UpdatedAt = now;
    }

    /// <summary>Every set of weights the experiment has used (one, unless a rollout's share changed).</summary>
    public IEnumerable<int[]> WeightSets() => Kind == ExperimentKind.Rollout
        ? RolloutPercents.Select(p => new[] { 100 - p, p })
        : [[.. Variants.Select(v => v.Weight)]];

    public ExperimentVariant? VariantNamed(string name) => Variants.FirstOrDefault(v => v.Name == name);

    /// <summary>Keys and variant names: 1–64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</summary>
    public static string? NameError(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "is required";
        return NamePattern().IsMatch(name) ? null : $"must be 1–{MaxKeyLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}

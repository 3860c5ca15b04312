using PromptHub.Modules.Prompts;
using PromptHub.Platform.Database;

namespace PromptHub.Modules.Experiments;

// What other modules may use of the Experiments module: this file, nothing else.

/// <summary>The experiment variant a subject was assigned to, as resolve and render answer it.</summary>
public sealed record ExperimentAssignment(string Key, string Variant);

/// <summary>A variant to serve: which experiment and variant (made once per variant, so that serving allocates nothing), and its version.</summary>
public sealed class VariantChoice(ExperimentAssignment experiment, int version)
{
    public ExperimentAssignment Experiment { get; } = experiment;
    public int Version { get; } = version;
}

/// <summary>Something wrong with the experiment fields of a reported execution: the field and what to say.</summary>
public sealed record ExecutionProblem(string Field, string Message);

/// <summary>The running experiments and rollouts, held in memory on every instance and kept fresh by the change feed.</summary>
public interface IRunningExperiments
{
    /// <summary>
    /// Serving: the variant <paramref name="subject"/> is assigned to in the experiment or rollout running on
    /// the prompt's <paramref name="label"/>, or null when none runs there. No database round trip once warm.
    /// </summary>
    ValueTask<VariantChoice?> AssignAsync(Guid projectId, Guid promptId, string label, string subject);

    /// <summary>
    /// Analytics ingest: null when an execution's experiment, variant, version and subject agree with the
    /// assignment (also for stopped experiments, whose executions are kept but left out of results).
    /// </summary>
    ValueTask<ExecutionProblem?> CheckExecutionAsync(Guid projectId, Guid promptId, string prompt, int version, string? experiment, string? variant, string? subject);

    /// <summary>Prompts, before archiving: the key of an experiment running on the prompt, read in the caller's transaction.</summary>
    Task<string?> RunningOnAsync(PromptHubDb db, Guid promptId, CancellationToken ct);
}

/// <summary>How an experiment or rollout ended.</summary>
public enum ExperimentOutcome
{
    /// <summary>Stopped without promoting a variant: the label stays.</summary>
    Stopped,
    /// <summary>Stopped and the label moved to the winning variant.</summary>
    Promoted,
    /// <summary>A rollout whose label moved to the candidate.</summary>
    Completed,
    /// <summary>A rollout stopped without moving the label.</summary>
    Aborted,
}

/// <summary>An experiment or rollout that ended, with what it did to its label.</summary>
public sealed record ExperimentEnded(Guid ExperimentId, string Key, bool IsRollout, string Label, ExperimentOutcome Outcome,
    string? Winner, int FromVersion, int ToVersion, string? Reason, string Actor, DateTimeOffset At);

/// <summary>
/// What other modules may do when an experiment ends, inside its transaction (an outbox message then exists
/// exactly when the end does). Published here; the Notifications module implements it.
/// </summary>
public interface IExperimentEvents
{
    Task ExperimentEndedAsync(PromptHubDb db, PromptInfo prompt, ExperimentEnded ended, CancellationToken ct);
}

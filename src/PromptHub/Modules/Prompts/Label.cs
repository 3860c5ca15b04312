namespace PromptHub.Modules.Prompts;

/// <summary>A named pointer to one version of a prompt. `production` is the active version (<see cref="PromptRules.Production"/>).</summary>
public sealed class Label
{
    public Guid PromptId { get; private set; }
    public string Name { get; private set; } = "";
    public Guid ProjectId { get; private set; }
    public int Version { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static (Label Label, LabelMove Move) Create(Prompt prompt, string name, int version, string? reason, string actor, DateTimeOffset now)
    {
        var label = new Label { PromptId = prompt.Id, ProjectId = prompt.ProjectId, Name = name, Version = version, UpdatedAt = now };
        return (label, LabelMove.Record(label, null, version, LabelAction.Activate, reason, actor, now));
    }

    /// <returns>The recorded move, or null when the label already points at <paramref name="version"/>.</returns>
    public LabelMove? MoveTo(int version, LabelAction action, string? reason, string actor, DateTimeOffset now, string? experiment = null)
    {
        if (version == Version) return null;
        var move = LabelMove.Record(this, Version, version, action, reason, actor, now, experiment: experiment);
        Version = version;
        UpdatedAt = now;
        return move;
    }
}

/// <summary>One move of a label: who pointed it from which version to which, when and why. Never changed.</summary>
public sealed class LabelMove
{
    public long Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public Guid PromptId { get; private set; }
    public string Label { get; private set; } = "";
    public int? FromVersion { get; private set; }
    public int ToVersion { get; private set; }
    public LabelAction Action { get; private set; }
    public string? Reason { get; private set; }
    public string Actor { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>For a rollout step: the share of subjects, 0–100, that <see cref="ToVersion"/> gets.</summary>
    public int? Percent { get; private set; }
    /// <summary>The experiment or rollout that took this step, if one did.</summary>
    public string? Experiment { get; private set; }

    /// <summary>False for rollout steps, which record a share of traffic while the label stays where it is.</summary>
    public bool MovesLabel => Action is not (LabelAction.Rollout or LabelAction.Abort);

    internal static LabelMove Record(Label label, int? from, int to, LabelAction action, string? reason, string actor, DateTimeOffset now,
        int? percent = null, string? experiment = null) =>
        new()
        {
            ProjectId = label.ProjectId,
            PromptId = label.PromptId,
            Label = label.Name,
            FromVersion = from,
            ToVersion = to,
            Action = action,
            Reason = reason,
            Actor = actor,
            CreatedAt = now,
            Percent = percent,
            Experiment = experiment,
        };

    /// <summary>
    /// Where a rollback goes: the target before the newest activation not yet rolled back. Rollbacks
    /// undo activations like a stack, so rolling back twice after v1 → v2 → v3 lands on v1.
    /// </summary>
    /// <param name="newestFirst">The label's moves, newest first.</param>
    public static int? RollbackTarget(IEnumerable<LabelMove> newestFirst)
    {
        var undone = 0;
        foreach (var move in newestFirst)
        {
            if (!move.MovesLabel) continue;
            if (move.Action == LabelAction.Rollback) undone++;
            else if (undone > 0) undone--;
            else return move.FromVersion;
        }
        return null;
    }
}

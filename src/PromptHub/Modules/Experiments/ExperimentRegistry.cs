using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using PromptHub.Modules.Prompts;
using PromptHub.Modules.Serving;
using PromptHub.Platform.Database;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Experiments;

/// <summary>
/// The writes of experiments and rollouts. Each runs in one transaction that locks the prompt's row first
/// and the experiment's row second (one order everywhere, so concurrent calls queue instead of
/// deadlocking); a partial unique index keeps a second running experiment off the same label whatever
/// happens. Label steps go through the Prompts module's registry, in the same transaction, and the change
/// feed tells every instance at commit.
/// </summary>
sealed class ExperimentRegistry(PromptHubDb db, IPromptRegistry prompts, IPromptCatalog catalog, TimeProvider time, ChangeFeed changes,
    IEnumerable<IExperimentEvents> events, IOptions<ExperimentsOptions> options)
{
    const int MaxTextLength = 2000;
    static readonly string Metrics = string.Join(", ", Enum.GetValues<ExperimentMetric>().Select(ExperimentResults.Camel));

    public async Task<Experiment> CreateAsync(Guid projectId, CreateExperimentRequest request, string actor, CancellationToken ct)
    {
        var validation = new Validation();
        if (Experiment.NameError(request.Key) is { } keyError) validation.Add("key", keyError);
        CatalogPrompt? prompt = null;
        if (PromptRules.NameError(request.Prompt) is { } promptError) validation.Add("prompt", promptError);
        else if ((prompt = await catalog.FindAsync(projectId, request.Prompt!)) is null) validation.Add("prompt", $"there is no prompt named '{request.Prompt}'");
        var label = request.Label ?? PromptRules.Production;
        if (PromptRules.LabelError(label, forMove: true) is { } labelError) validation.Add("label", labelError);
        else if (prompt is not null && !prompt.Labels.ContainsKey(label)) validation.Add("label", $"prompt '{prompt.Name}' has no label '{label}': activate a version first");
        validation.Check(request.Description is null || request.Description.Length <= MaxTextLength, "description", $"must be at most {MaxTextLength} characters")
            .Check(request.Seed is null || (request.Seed.Length is > 0 and <= 200 && !string.IsNullOrWhiteSpace(request.Seed)), "seed", "must be 1–200 characters (it defaults to the key)")
            .Check(request.MinSamplesPerVariant is null or (> 0 and <= 1_000_000), "minSamplesPerVariant", "must be a whole number from 1 to 1000000");
        var metric = request.PrimaryMetric is null
            ? ExperimentMetric.SuccessRate
            : Enum.GetValues<ExperimentMetric>().Cast<ExperimentMetric?>().FirstOrDefault(m => ExperimentResults.Camel(m!.Value) == request.PrimaryMetric);
        validation.Check(metric is not null, "primaryMetric", $"must be one of {Metrics}");
        var variants = ValidateVariants(request.Variants, prompt, validation);
        validation.ThrowIfInvalid();

        var experiment = Experiment.Create(projectId, request.Key!, ExperimentKind.Experiment, prompt!.Id, prompt.Name, label, Text(request.Description),
            request.Seed ?? request.Key!, metric!.Value,
            request.MinSamplesPerVariant ?? options.Value.MinSamplesPerVariant, variants, actor, time.GetUtcNow());
        db.Experiments.Add(experiment);
        await SaveAsync(experiment.Key, ct);
        return experiment;
    }

    /// <summary>Draft → running. 409 when it is not a draft, or something else already runs on its label.</summary>
    public async Task<Experiment> StartAsync(Guid projectId, string key, string actor, CancellationToken ct)
    {
        var found = await FindAsync(projectId, key, ct);
        if (found.Status != ExperimentStatus.Draft) throw NotDraft(found);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        _ = await prompts.LockAsync(projectId, found.PromptId, ct) ?? throw ProblemException.Conflict($"The prompt of experiment '{key}' has been archived.");
        var experiment = await LockAsync(found.Id, ct);
        if (experiment.Status != ExperimentStatus.Draft) throw NotDraft(experiment);
        await RefuseSecondAsync(experiment.PromptId, experiment.PromptName, experiment.Label, ct);
        experiment.Start(actor, time.GetUtcNow());
        await SaveAsync(experiment.Key, ct);
        await CommitAsync(projectId, ct);
        return experiment;
    }

    /// <summary>Running → stopped; with <paramref name="promote"/>, the label moves to that variant's version in the same transaction.</summary>
    public async Task<Experiment> StopAsync(Guid projectId, string key, string? promote, string? reason, string actor, CancellationToken ct)
    {
        var found = await FindAsync(projectId, key, ct);
        if (promote is not null && found.VariantNamed(promote) is null)
        {
            throw ProblemException.Invalid("promote", $"experiment '{key}' has no variant '{promote}' (it has {string.Join(", ", found.Variants.Select(v => v.Name))})");
        }
        if (found.Status != ExperimentStatus.Running) throw NotRunning(found);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var prompt = await prompts.LockAsync(projectId, found.PromptId, ct) ?? throw ProblemException.Conflict($"The prompt of experiment '{key}' has been archived.");
        var experiment = await LockAsync(found.Id, ct);
        if (experiment.Status != ExperimentStatus.Running) throw NotRunning(experiment); // a concurrent stop got there first
        await EndAsync(prompt, experiment, promote, Text(reason), actor, ct);
        return experiment;
    }

    /// <summary>Starts a rollout: the label's current version keeps 100 − percent of the subjects, the candidate gets the rest.</summary>
    public async Task<Experiment> StartRolloutAsync(Guid projectId, string promptName, string label, StartRolloutRequest request, string actor, CancellationToken ct)
    {
        var validation = new Validation();
        validation.Check(request.Version is > 0, "version", "is required: the candidate version (a positive whole number)");
        var percent = Percent(request.Percent, validation);
        validation.Check(request.Reason is null || request.Reason.Length <= MaxTextLength, "reason", $"must be at most {MaxTextLength} characters");
        if (request.Key is not null && Experiment.NameError(request.Key) is { } keyError) validation.Add("key", keyError);
        validation.ThrowIfInvalid();
        var found = await catalog.FindAsync(projectId, promptName) ?? throw ProblemException.NotFound($"There is no prompt named '{promptName}'.");
        if (request.Version > found.LatestVersion) throw ProblemException.Invalid("version", $"prompt '{promptName}' has no version {request.Version} (latest is {found.LatestVersion})");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var prompt = await prompts.LockAsync(projectId, found.Id, ct) ?? throw ProblemException.NotFound($"There is no prompt named '{promptName}'.");
        var target = await prompts.TargetAsync(prompt.Id, label, ct)
            ?? throw ProblemException.Conflict($"Prompt '{promptName}' has no '{label}' version yet: activate one first (a rollout starts from it).");
        if (target == request.Version) throw ProblemException.Invalid("version", $"label '{label}' already points at version {target}");
        await RefuseSecondAsync(prompt.Id, promptName, label, ct);

        var now = time.GetUtcNow();
        var key = request.Key ?? $"rollout-{Guid.CreateVersion7(now).ToString("N")[^12..]}";
        var experiment = Experiment.Create(projectId, key, ExperimentKind.Rollout, prompt.Id, promptName, label, null, key, ExperimentMetric.SuccessRate,
            options.Value.MinSamplesPerVariant,
            [new ExperimentVariant(Experiment.ControlName, target, 100 - percent), new ExperimentVariant(Experiment.CandidateName, request.Version!.Value, percent)],
            actor, now);
        experiment.Start(actor, now);
        db.Experiments.Add(experiment);
        await SaveAsync(key, ct);
        await prompts.ExperimentStepAsync(projectId, prompt.Id, label, LabelAction.Rollout, request.Version!.Value, percent, key, Text(request.Reason), actor, ct);
        await CommitAsync(projectId, ct);
        return experiment;
    }

    /// <summary>A new candidate share for the rollout running on the label; the seed stays, so a larger share keeps every subject it had.</summary>
    public async Task<Experiment> ChangeRolloutAsync(Guid projectId, string promptName, string label, ChangeRolloutRequest request, string actor, CancellationToken ct)
    {
        var validation = new Validation();
        var percent = Percent(request.Percent, validation);
        validation.Check(request.Reason is null || request.Reason.Length <= MaxTextLength, "reason", $"must be at most {MaxTextLength} characters");
        validation.ThrowIfInvalid();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (prompt, rollout) = await LockRolloutAsync(projectId, promptName, label, ct);
        if (rollout.Variants[1].Weight == percent) return rollout;
        rollout.SetCandidatePercent(percent, time.GetUtcNow());
        await SaveAsync(rollout.Key, ct);
        await prompts.ExperimentStepAsync(projectId, prompt.Id, label, LabelAction.Rollout, rollout.Variants[1].Version, percent, rollout.Key, Text(request.Reason), actor, ct);
        await CommitAsync(projectId, ct);
        return rollout;
    }

    /// <summary>Ends the rollout running on the label: complete moves the label to the candidate, abort leaves it.</summary>
    public async Task<Experiment> EndRolloutAsync(Guid projectId, string promptName, string label, bool complete, string? reason, string actor, CancellationToken ct)
    {
        if (reason is { Length: > MaxTextLength }) throw ProblemException.Invalid("reason", $"must be at most {MaxTextLength} characters");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (prompt, rollout) = await LockRolloutAsync(projectId, promptName, label, ct);
        await EndAsync(prompt, rollout, complete ? Experiment.CandidateName : null, Text(reason), actor, ct);
        return rollout;
    }

    /// <summary>The rollout running on the label, with the prompt's row and then its own locked (in the caller's transaction).</summary>
    async Task<(PromptInfo Prompt, Experiment Rollout)> LockRolloutAsync(Guid projectId, string promptName, string label, CancellationToken ct)
    {
        var found = await catalog.FindAsync(projectId, promptName) ?? throw ProblemException.NotFound($"There is no prompt named '{promptName}'.");
        var prompt = await prompts.LockAsync(projectId, found.Id, ct) ?? throw ProblemException.NotFound($"There is no prompt named '{promptName}'.");
        var running = await db.Experiments
            .FromSql($"SELECT * FROM experiments.experiments WHERE prompt_id = {prompt.Id} AND label = {label} AND status = 'running' FOR UPDATE")
            .SingleOrDefaultAsync(ct)
            ?? throw ProblemException.NotFound($"No rollout is running on label '{label}' of prompt '{promptName}'.");
        if (running.Kind != ExperimentKind.Rollout)
        {
            throw ProblemException.Conflict($"Experiment '{running.Key}' runs on label '{label}' of prompt '{promptName}'; it is not a rollout (stop it with POST /api/v1/experiments/{running.Key}/stop).");
        }
        return (prompt, running);
    }

    /// <summary>
    /// Stops a locked, running experiment: the label step (a promote or complete moves it; an aborted rollout
    /// records that), the stop itself, the announcement, one commit.
    /// </summary>
    async Task EndAsync(PromptInfo prompt, Experiment experiment, string? winner, string? reason, string actor, CancellationToken ct)
    {
        var rollout = experiment.Kind == ExperimentKind.Rollout;
        var from = await prompts.TargetAsync(prompt.Id, experiment.Label, ct) ?? experiment.Variants[0].Version;
        var moveTo = winner is null || (rollout && winner == Experiment.ControlName) ? null : experiment.VariantNamed(winner);
        var outcome = (rollout, moveTo) switch
        {
            (true, null) => ExperimentOutcome.Aborted,
            (true, _) => ExperimentOutcome.Completed,
            (false, null) => ExperimentOutcome.Stopped,
            _ => ExperimentOutcome.Promoted,
        };
        if (moveTo is not null)
        {
            await prompts.ExperimentStepAsync(experiment.ProjectId, prompt.Id, experiment.Label, rollout ? LabelAction.Complete : LabelAction.Promote,
                moveTo.Version, null, experiment.Key, reason, actor, ct);
        }
        else if (rollout)
        {
            await prompts.ExperimentStepAsync(experiment.ProjectId, prompt.Id, experiment.Label, LabelAction.Abort, experiment.Variants[1].Version, 0,
                experiment.Key, reason, actor, ct);
        }
        var now = time.GetUtcNow();
        experiment.Stop(moveTo?.Name, reason, actor, now);
        await SaveAsync(experiment.Key, ct);
        var ended = new ExperimentEnded(experiment.Id, experiment.Key, rollout, experiment.Label, outcome, moveTo?.Name, from, moveTo?.Version ?? from, reason, actor, now);
        foreach (var handler in events) await handler.ExperimentEndedAsync(db, prompt, ended, ct);
        await db.SaveChangesAsync(ct);
        await CommitAsync(experiment.ProjectId, ct);
    }

    /// <summary>The variants of a definition: names unique, versions of the prompt, whole-number weights summing to 100.</summary>
    ExperimentVariant[] ValidateVariants(VariantRequest?[]? variants, CatalogPrompt? prompt, Validation validation)
    {
        var max = options.Value.MaxVariants;
        if (variants is not { Length: >= 2 })
        {
            validation.Add("variants", "needs at least two variants {name, version, weight}: the control first, then each treatment");
            return [];
        }
        if (variants.Length > max) validation.Add("variants", $"must have at most {max} variants");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ExperimentVariant>();
        var weightsValid = true;
        for (var i = 0; i < variants.Length; i++)
        {
            var at = $"variants[{i}]";
            if (variants[i] is not { } variant)
            {
                validation.Add(at, "must be an object {name, version, weight}");
                weightsValid = false;
                continue;
            }
            if (Experiment.NameError(variant.Name) is { } nameError) validation.Add($"{at}.name", nameError);
            else if (!names.Add(variant.Name!)) validation.Add($"{at}.name", $"'{variant.Name}' is the name of another variant");
            if (variant.Version is not > 0) validation.Add($"{at}.version", "is required: a version of the prompt (a positive whole number)");
            else if (prompt is not null && variant.Version > prompt.LatestVersion) validation.Add($"{at}.version", $"prompt '{prompt.Name}' has no version {variant.Version} (latest is {prompt.LatestVersion})");
            if (variant.Weight is not { } weight) validation.Add($"{at}.weight", "is required: a whole-number share of 100");
            else if (weight != decimal.Truncate(weight)) validation.Add($"{at}.weight", "must be a whole number (weights are shares of 100)");
            else if (weight is < 0 or > 100) validation.Add($"{at}.weight", "must be between 0 and 100");
            weightsValid &= variant.Weight is { } w && w == decimal.Truncate(w) && w is >= 0 and <= 100;
            result.Add(new ExperimentVariant(variant.Name ?? "", variant.Version ?? 0, weightsValid ? (int)variant.Weight!.Value : 0));
        }
        if (weightsValid && result.Sum(v => v.Weight) is var sum && sum != 100) validation.Add("variants", $"the weights must sum to 100 (they sum to {sum})");
        return [.. result];
    }

    static int Percent(decimal? percent, Validation validation)
    {
        if (percent is not { } p || p != decimal.Truncate(p) || p is < 1 or > 100)
        {
            validation.Add("percent", "is required: a whole number from 1 to 100 (the candidate's share of subjects)");
            return 0;
        }
        return (int)p;
    }

    async Task<Experiment> FindAsync(Guid projectId, string key, CancellationToken ct) =>
        await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.ProjectId == projectId && e.Key == key, ct)
        ?? throw ProblemException.NotFound($"There is no experiment '{key}'.");

    /// <summary>The experiment's row, locked until the transaction ends (read fresh: what was read before may be stale).</summary>
    async Task<Experiment> LockAsync(Guid id, CancellationToken ct) =>
        await db.Experiments.FromSql($"SELECT * FROM experiments.experiments WHERE id = {id} FOR UPDATE").SingleAsync(ct);

    async Task RefuseSecondAsync(Guid promptId, string promptName, string label, CancellationToken ct)
    {
        var running = await db.Experiments.AsNoTracking()
            .Where(e => e.PromptId == promptId && e.Label == label && e.Status == ExperimentStatus.Running)
            .Select(e => new { e.Key, e.Kind }).FirstOrDefaultAsync(ct);
        if (running is not null)
        {
            throw ProblemException.Conflict($"{(running.Kind == ExperimentKind.Rollout ? "Rollout" : "Experiment")} '{running.Key}' is already running on label '{label}' of prompt '{promptName}'; stop it first.");
        }
    }

    async Task SaveAsync(string key, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            throw ProblemException.Conflict(unique.ConstraintName?.Contains("key", StringComparison.Ordinal) == true
                ? $"An experiment with the key '{key}' already exists in this project."
                : "Another experiment or rollout is already running on this label; stop it first.");
        }
    }

    /// <summary>Commits, telling every instance that the project's experiments changed (applied here at once).</summary>
    async Task CommitAsync(Guid projectId, CancellationToken ct)
    {
        await changes.CommitAsync(db, db.Database.CurrentTransaction!.CommitAsync, RunningExperiments.ChangeTopic, projectId.ToString("N"), ct);
    }

    static ProblemException NotDraft(Experiment e) => ProblemException.Conflict(e.Status == ExperimentStatus.Running
        ? $"Experiment '{e.Key}' is already running."
        : $"Experiment '{e.Key}' has stopped; an experiment runs once (create a new one to test again).");

    static ProblemException NotRunning(Experiment e) => ProblemException.Conflict(e.Status == ExperimentStatus.Draft
        ? $"Experiment '{e.Key}' has not started."
        : $"Experiment '{e.Key}' has already stopped.");

    static string? Text(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

using System.Diagnostics;
using System.Text.Json;

namespace PromptHub.Client;

/// <summary>
/// One use of a prompt, timed from <see cref="PromptHubClient.StartExecution"/> to <see cref="Complete"/>, reported in
/// the background with the prompt's version, label, experiment and variant. Its <see cref="Id"/> is made here, so a
/// batch sent twice is counted once. Disposed without <see cref="Complete"/> (an exception on the way), it is reported
/// as failed.
/// </summary>
public sealed class PromptExecution : IAsyncDisposable, IDisposable
{
    readonly ExecutionReporter _reporter;
    readonly long _started;
    readonly TimeProvider _time;
    int _ended;

    internal PromptExecution(ExecutionReporter reporter, Prompt prompt, TimeProvider time)
    {
        (_reporter, Prompt, _time) = (reporter, prompt, time);
        StartedAt = time.GetUtcNow();
        _started = time.GetTimestamp();
        Id = Guid.CreateVersion7(StartedAt).ToString();
    }

    /// <summary>The execution's id (also its idempotency key): give it to later outcomes.</summary>
    public string Id { get; }

    /// <summary>The prompt used.</summary>
    public Prompt Prompt { get; }

    /// <summary>When it started (its <c>occurredAt</c>).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>True once completed or disposed.</summary>
    public bool IsEnded => Volatile.Read(ref _ended) == 1;

    /// <summary>
    /// Ends the execution and queues its report (it does not wait for the network). The latency is the time
    /// since the start; the model defaults to the prompt config's <c>model</c>. A second call does nothing.
    /// </summary>
    public void Complete(bool success, int? inputTokens = null, int? outputTokens = null, decimal? costUsd = null, double? score = null,
        string? model = null, string? error = null, string? renderedPrompt = null, string? response = null, object? metadata = null)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1) return;
        var latency = _time.GetElapsedTime(_started).TotalMilliseconds;
        if (Prompt.IsFallback || Prompt.Version is not { } version)
        {
            _reporter.SkipFallback(Prompt.Name);
            return;
        }
        JsonElement? data = metadata switch
        {
            null => null,
            JsonElement element => element,
            _ => JsonSerializer.SerializeToElement(metadata, metadata.GetType(), PromptJson.Options),
        };
        _reporter.Enqueue(new ExecutionRecord(Id, Prompt.Name, version, Prompt.Label, Prompt.Experiment?.Key, Prompt.Experiment?.Variant,
            Prompt.Subject, Math.Round(latency, 3), inputTokens, outputTokens, costUsd, model ?? Prompt.Model, success, score, error,
            StartedAt, renderedPrompt, response, data));
    }

    /// <summary>Ends the execution as failed with <paramref name="error"/>.</summary>
    public void Fail(string error, int? inputTokens = null, int? outputTokens = null, decimal? costUsd = null) =>
        Complete(false, inputTokens, outputTokens, costUsd, error: error);

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        if (!IsEnded) Fail("The execution ended without Complete (an exception on the way?).");
    }

    /// <summary>Reports the execution as failed unless it was completed.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

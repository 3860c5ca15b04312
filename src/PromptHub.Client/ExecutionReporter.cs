using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PromptHub.Client;

/// <summary>Counts of execution reporting since the client started.</summary>
/// <param name="Buffered">Waiting to be sent.</param>
/// <param name="Sent">Delivered: stored by the server, each once.</param>
/// <param name="Duplicates">Of those, how many were sent again (an answer was lost) and recognised by their ids, so not stored twice.</param>
/// <param name="Dropped">Dropped, oldest first, because the buffer was full while PromptHub could not be reached.</param>
/// <param name="Refused">Refused by the server as invalid (logged with the reason).</param>
/// <param name="Unreported">Executions of fallback prompts, which have no version to report.</param>
public sealed record ExecutionReportingCounts(long Buffered, long Sent, long Duplicates, long Dropped, long Refused, long Unreported);

/// <summary>
/// Sends executions in batches — when a batch is full or its first item has waited the flush interval — on
/// one background loop, retrying a batch with exponential back-off while PromptHub cannot be reached. The
/// buffer is bounded: when full the oldest are dropped, counted and logged. Stopping the host (or disposing
/// the client) sends what is left.
/// </summary>
sealed class ExecutionReporter : IHostedService, IAsyncDisposable
{
    readonly Channel<ExecutionRecord> _buffer;
    readonly PromptHubApi _api;
    readonly ExecutionReportingOptions _options;
    readonly ILogger _log;
    readonly TimeProvider _time;
    readonly CancellationTokenSource _abort = new();
    readonly Lock _gate = new();
    readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    Task? _loop;
    TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long _enqueued, _settled, _sent, _duplicates, _dropped, _refused, _unreported;
    long _lastDropLog = long.MinValue;
    bool _outageLogged, _stopping;

    public ExecutionReporter(PromptHubApi api, IOptions<PromptHubClientOptions> options, ILogger<ExecutionReporter> log, TimeProvider time)
    {
        (_api, _options, _log, _time) = (api, options.Value.Reporting, log, time);
        _buffer = Channel.CreateBounded<ExecutionRecord>(
            new BoundedChannelOptions(Math.Max(1, _options.MaxBufferedExecutions)) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            Dropped);
    }

    public ExecutionReportingCounts Counts => new(Math.Max(0, Interlocked.Read(ref _enqueued) - Interlocked.Read(ref _settled)),
        Interlocked.Read(ref _sent), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _dropped), Interlocked.Read(ref _refused),
        Interlocked.Read(ref _unreported));

    public void Enqueue(ExecutionRecord record)
    {
        EnsureStarted();
        Interlocked.Increment(ref _enqueued);
        if (!_buffer.Writer.TryWrite(record))
        {
            // Written after the stop: nothing will send it.
            Interlocked.Increment(ref _dropped);
            Settle(1);
            _log.LogWarning("Execution {Id} of '{Prompt}' was reported after the client stopped; it is dropped", record.Id, record.Prompt);
        }
    }

    public void SkipFallback(string prompt)
    {
        Interlocked.Increment(ref _unreported);
        _log.LogDebug("An execution of the fallback of '{Prompt}' is not reported: a fallback has no version", prompt);
    }

    /// <summary>Completes once everything buffered when it was called has been sent, refused or dropped.</summary>
    public Task FlushAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var target = Interlocked.Read(ref _enqueued);
        if (Interlocked.Read(ref _settled) >= target) return Task.CompletedTask;
        EnsureStarted();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _flushes.Add((target, done));
            _wake.TrySetResult();
        }
        CompleteFlushes();
        return done.Task.WaitAsync(ct);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    /// <summary>The host stops: no more waiting for full batches, everything left is sent until <paramref name="cancellationToken"/> (the host's shutdown timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _stopping = true;
            _wake.TrySetResult();
        }
        _buffer.Writer.TryComplete();
        if (_loop is null) return;
        using var abort = cancellationToken.Register(() => _abort.Cancel());
        await _loop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(_options.ShutdownFlushTimeout);
        await StopAsync(timeout.Token).ConfigureAwait(false);
        _abort.Dispose();
    }

    void EnsureStarted()
    {
        if (_loop is not null) return;
        lock (_gate) _loop ??= Task.Run(RunAsync);
    }

    async Task RunAsync()
    {
        var reader = _buffer.Reader;
        var batch = new List<ExecutionRecord>(_options.BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                await CollectAsync(reader, batch).ConfigureAwait(false);
                if (batch.Count > 0) await SendAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            var left = batch.Count + reader.Count;
            if (left > 0)
            {
                _log.LogWarning("{Count} executions could not be sent to PromptHub before the shutdown timeout; they are lost", left);
                Interlocked.Add(ref _dropped, left);
                Settle(left);
            }
        }
        catch (Exception e)
        {
            _log.LogError(e, "Execution reporting stopped on an unexpected error");
        }
    }

    /// <summary>Fills the batch up to its size, waiting at most the flush interval from its first item (not at all once stopping or flushing).</summary>
    async Task CollectAsync(ChannelReader<ExecutionRecord> reader, List<ExecutionRecord> batch)
    {
        var deadline = _time.GetTimestamp();
        while (batch.Count < _options.BatchSize)
        {
            if (reader.TryRead(out var record))
            {
                batch.Add(record);
                continue;
            }
            if (reader.Completion.IsCompleted || Hurry()) return;
            var left = _options.FlushInterval - _time.GetElapsedTime(deadline);
            if (left <= TimeSpan.Zero) return;
            Task wake;
            lock (_gate) wake = _wake.Task;
            var more = reader.WaitToReadAsync(_abort.Token).AsTask();
            using var timer = new CancellationTokenSource(left, _time);
            var finished = await Task.WhenAny(more, wake, Task.Delay(Timeout.Infinite, timer.Token)).ConfigureAwait(false);
            lock (_gate)
            {
                if (_wake.Task.IsCompleted && _flushes.Count == 0 && !_stopping) _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            if (finished != more) return;
            if (!await more.ConfigureAwait(false)) return;
        }
    }

    /// <summary>A flush is waiting or the client stops: send what there is now.</summary>
    bool Hurry()
    {
        lock (_gate) return _flushes.Count > 0 || _stopping;
    }

    async Task SendAsync(List<ExecutionRecord> batch)
    {
        var attempt = 0;
        while (batch.Count > 0)
        {
            try
            {
                var answer = await _api.SendExecutionsAsync(batch, _abort.Token).ConfigureAwait(false);
                Interlocked.Add(ref _sent, batch.Count);
                Interlocked.Add(ref _duplicates, answer.Duplicates);
                if (_outageLogged)
                {
                    _log.LogInformation("PromptHub takes executions again");
                    _outageLogged = false;
                }
                Settle(batch.Count);
                return;
            }
            catch (RefusedBatchException refused)
            {
                // The server takes a batch whole or not at all: the items it names are dropped, the rest go again at once.
                var bad = refused.Items.Keys.Where(i => i >= 0 && i < batch.Count).OrderDescending().ToList();
                if (bad.Count == 0) bad = [.. Enumerable.Range(0, batch.Count).Reverse()];
                foreach (var index in bad)
                {
                    var record = batch[index];
                    _log.LogWarning("PromptHub refused execution {Id} of '{Prompt}' v{Version}: {Reason}", record.Id, record.Prompt, record.Version,
                        refused.Items.TryGetValue(index, out var reason) ? reason : refused.Message);
                    batch.RemoveAt(index);
                }
                Interlocked.Add(ref _refused, bad.Count);
                Settle(bad.Count);
            }
            catch (PromptHubException e)
            {
                attempt++;
                var delay = Backoff(attempt);
                if (!_outageLogged)
                {
                    _log.LogWarning("Could not send {Count} executions to PromptHub ({Error}); retrying with back-off, {Buffered} more buffered",
                        batch.Count, e.Message, _buffer.Reader.Count);
                    _outageLogged = true;
                }
                await Task.Delay(delay, _time, _abort.Token).ConfigureAwait(false);
            }
        }
    }

    TimeSpan Backoff(int attempt)
    {
        var exponential = TimeSpan.FromMilliseconds(Math.Min(_options.MaxRetryDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(attempt - 1, 16))));
        return exponential * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    void Dropped(ExecutionRecord record)
    {
        var total = Interlocked.Increment(ref _dropped);
        Settle(1);
        // One line per ten seconds at most, with the running total.
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(10)) && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
        {
            _log.LogWarning("The execution buffer is full ({Max}) while PromptHub cannot be reached: dropped the oldest ({Id} of '{Prompt}'); {Total} dropped so far",
                _options.MaxBufferedExecutions, record.Id, record.Prompt, total);
        }
    }

    void Settle(long count)
    {
        Interlocked.Add(ref _settled, count);
        CompleteFlushes();
    }

    void CompleteFlushes()
    {
        var settled = Interlocked.Read(ref _settled);
        lock (_gate)
        {
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target > settled) continue;
                _flushes[i].Done.TrySetResult();
                _flushes.RemoveAt(i);
            }
        }
    }
}

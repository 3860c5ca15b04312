using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PromptHub.Modules.Guardrails;

/// <summary>
/// Findings per guardrail and action, counted in memory on the hot path and added to
/// `guardrails.finding_counts` every couple of seconds (and before the counts are read, and at
/// shutdown), so render never waits on a write. Counts that fail to be written are kept for the next try.
/// </summary>
sealed class FindingCounts(NpgsqlDataSource dataSource)
{
    readonly ConcurrentDictionary<(Guid Project, Guid Guardrail, GuardrailAction Action), long> _pending = new();
    readonly SemaphoreSlim _flushing = new(1, 1);

    public void Add(Guid projectId, Guid guardrailId, GuardrailAction action) =>
        _pending.AddOrUpdate((projectId, guardrailId, action), 1, (_, n) => n + 1);

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.IsEmpty) return;
        await _flushing.WaitAsync(ct);
        var taken = new List<((Guid Project, Guid Guardrail, GuardrailAction Action) Key, long Count)>();
        try
        {
            foreach (var key in _pending.Keys)
            {
                if (_pending.TryRemove(key, out var count)) taken.Add((key, count));
            }
            if (taken.Count == 0) return;
            // Counts of a guardrail deleted meanwhile are dropped with it (the join finds no row).
            await using var command = dataSource.CreateCommand("""
                INSERT INTO guardrails.finding_counts (project_id, guardrail_id, action, count)
                SELECT g.project_id, g.id, c.action, c.count
                FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS c(guardrail_id, action, count)
                JOIN guardrails.guardrails g ON g.id = c.guardrail_id
                ON CONFLICT (guardrail_id, action) DO UPDATE SET count = finding_counts.count + excluded.count
                """);
            command.Parameters.AddWithValue(taken.Select(t => t.Key.Guardrail).ToArray());
            command.Parameters.AddWithValue(taken.Select(t => Guardrail.Word(t.Key.Action)).ToArray());
            command.Parameters.AddWithValue(taken.Select(t => t.Count).ToArray());
            await command.ExecuteNonQueryAsync(ct);
            taken.Clear();
        }
        finally
        {
            foreach (var (key, count) in taken) _pending.AddOrUpdate(key, count, (_, n) => n + count); // not written: kept
            _flushing.Release();
        }
    }
}

/// <summary>Writes the counts every <see cref="Interval"/> and once more when the app stops.</summary>
sealed class FindingCountsWriter(FindingCounts counts, ILogger<FindingCountsWriter> log) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await TryFlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync(cancellationToken);
    }

    async Task TryFlushAsync(CancellationToken ct)
    {
        try
        {
            await counts.FlushAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            log.LogWarning("Could not write guardrail finding counts ({Error}); they are kept for the next try", e.Message);
        }
    }
}

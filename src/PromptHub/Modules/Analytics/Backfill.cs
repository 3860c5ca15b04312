namespace PromptHub.Modules.Analytics;

/// <summary>
/// A roll-up of a date range asked for by an admin: whose, which days, how far it got, and the
/// Hangfire job that runs it (whose state is the backfill's state).
/// </summary>
sealed class Backfill
{
    public Guid Id { get; private set; }
    public Guid ProjectId { get; private set; }
    public DateOnly FirstDay { get; private set; }
    public DateOnly LastDay { get; private set; }
    public string? JobId { get; private set; }
    public int DaysDone { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }

    public int Days => LastDay.DayNumber - FirstDay.DayNumber + 1;

    public static Backfill Request(Guid projectId, DateOnly from, DateOnly to, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), ProjectId = projectId, FirstDay = from, LastDay = to, RequestedAt = now };

    /// <summary>The Hangfire job that runs it, once enqueued.</summary>
    public void RunBy(string jobId) => JobId = jobId;

    /// <summary>A run (or a retry) starts over from the first day.</summary>
    public void Start() => DaysDone = 0;

    public void DayDone() => DaysDone++;
}

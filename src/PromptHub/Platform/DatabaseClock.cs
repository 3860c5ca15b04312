namespace PromptHub.Platform;

/// <summary>
/// The system clock cut to whole microseconds, the precision PostgreSQL keeps: a time answered at creation is
/// then the same time every later read answers (not 7 fractional digits first and 6 after).
/// </summary>
sealed class DatabaseClock : TimeProvider
{
    const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public override DateTimeOffset GetUtcNow() => Truncate(System.GetUtcNow());

    public static DateTimeOffset Truncate(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TicksPerMicrosecond));
}

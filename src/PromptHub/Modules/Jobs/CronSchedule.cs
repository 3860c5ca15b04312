using System.Globalization;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// Crons as PromptHub takes them: the standard five fields (minute hour day-of-month month day-of-week),
/// in UTC, or `-` for "off". Hangfire would also take six fields (seconds); a setting is refused then too,
/// so that a cron with seconds (`0 0 1 * * ?`) stops the start with a clear line instead of meaning
/// something else.
/// </summary>
public static class CronSchedule
{
    public const string Off = "-";

    /// <summary>Why <paramref name="cron"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string cron)
    {
        if (cron == Off) return null;
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5 || !Cronos.CronExpression.TryParse(cron, Cronos.CronFormat.Standard, out _))
        {
            return $"'{cron}' is not a five-field cron (minute hour day-of-month month day-of-week, UTC; e.g. '0 1 * * *' for 01:00 every day, '* * * * *' for every minute), nor '-' for off";
        }
        return null;
    }

    static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>The usual shapes in words ("every day at 01:00 UTC"); anything else as "cron … (UTC)".</summary>
    public static string Describe(string cron)
    {
        if (cron == Off) return "off";
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 5) return $"cron {cron} (UTC)";
        var (minute, hour, day, month, weekday) = (f[0], f[1], f[2], f[3], f[4]);
        bool Number(string s, int max, out int value) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
        if (day != "*" || month != "*") return $"cron {cron} (UTC)";
        if (minute == "*" && hour == "*" && weekday == "*") return "every minute";
        if (minute.StartsWith("*/", StringComparison.Ordinal) && Number(minute[2..], 59, out var every) && hour == "*" && weekday == "*")
        {
            return $"every {every} minutes";
        }
        if (Number(minute, 59, out var m) && hour == "*" && weekday == "*") return $"every hour at minute {m}";
        if (Number(minute, 59, out m) && Number(hour, 23, out var h))
        {
            var at = $"{h:00}:{m:00} UTC";
            if (weekday == "*") return $"every day at {at}";
            if (Number(weekday, 7, out var d)) return $"every {Days[d]} at {at}";
        }
        return $"cron {cron} (UTC)";
    }
}

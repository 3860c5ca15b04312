using System.Diagnostics;

namespace PromptHub.Platform.Database;

/// <summary>
/// `&lt;data folder&gt;.owner` names the process that is to stop the embedded cluster: its id and its start
/// time, so that a new process that got a dead one's id is not taken for it.
/// </summary>
static class ServerOwner
{
    public static void Claim(string dataDirectory)
    {
        var file = dataDirectory + ".owner";
        var next = $"{file}.{Environment.ProcessId}";
        File.WriteAllText(next, $"{Environment.ProcessId} {StartOf(Environment.ProcessId)}");
        File.Move(next, file, overwrite: true); // whole or not at all, for a reader in another process
    }

    /// <summary>The id of the recorded owner if that process still runs, else null.</summary>
    public static int? Live(string dataDirectory)
    {
        string[] parts;
        try
        {
            parts = File.ReadAllText(dataDirectory + ".owner").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no owner recorded
        }
        if (parts.Length == 0 || !int.TryParse(parts[0], out var pid)) return null;
        var start = StartOf(pid);
        if (start is not null) return parts.Length > 1 && parts[1] == start ? pid : null;
        if (Directory.Exists("/proc")) return null; // Linux, and no such process
        try
        {
            using var process = Process.GetProcessById(pid); // elsewhere: the id alone
            return process.HasExited ? null : pid;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// When the process started, in clock ticks since boot (/proc/&lt;pid&gt;/stat, field 22): exact and stable.
    /// Null when there is no such live process (a zombie counts as gone) or no /proc.
    /// </summary>
    static string? StartOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (name) state ppid …": the name may hold spaces, so count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : fields[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace PromptHub.Platform.Database;

/// <summary>
/// A PostgreSQL cluster of the machine's own binaries (initdb, pg_ctl) in a folder of ours: the
/// default database of a developer's `dotnet run` and of the tests. It listens on a free loopback
/// port only, with a generated password kept next to the data folder, and keeps its data between runs.
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    const string User = "prompthub";
    readonly string _dataDirectory;
    readonly string _binDirectory;
    readonly bool _runAsPostgresUser;
    readonly bool _throwaway;
    /// <summary>
    /// True when this process is the one to stop the server: it started it, or found it left by a process
    /// that is gone. False while another live process of ours (an instance, the CLI) owns it.
    /// </summary>
    readonly bool _owner;
    bool _stopped;

    public string ConnectionString { get; }
    public int Port { get; }

    LocalPostgres(string dataDirectory, string binDirectory, bool runAsPostgresUser, bool throwaway, bool owner, int port, string password, string database)
    {
        _owner = owner;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _runAsPostgresUser = runAsPostgresUser;
        _throwaway = throwaway;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = User,
            Password = password,
            Database = database,
        }.ConnectionString;
    }

    /// <summary>
    /// Starts (creating it first when the folder is empty) the cluster in <paramref name="dataDirectory"/>
    /// and makes sure <paramref name="database"/> exists. <paramref name="throwaway"/> trades durability
    /// for speed (fsync off), for test clusters only.
    /// </summary>
    public static LocalPostgres Start(string dataDirectory, string database = "prompthub", bool throwaway = false) =>
        Start(dataDirectory, database, throwaway, Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    /// <summary>Whether this machine has PostgreSQL's server binaries (on PATH or where Debian puts them).</summary>
    public static bool BinariesAvailable() => FindBinaries(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql") is not null;

    /// <param name="searchPath">Folders to look for initdb and pg_ctl in, like PATH.</param>
    /// <param name="packageRoot">Where Debian installs PostgreSQL versions (`15/bin`, `16/bin`…).</param>
    internal static LocalPostgres Start(string dataDirectory, string database, bool throwaway, string searchPath, string packageRoot)
    {
        var binDirectory = FindBinaries(searchPath, packageRoot) ?? throw new LocalPostgresUnavailableException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. " +
            "Install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@15) " +
            "or point PromptHub at an existing server with the connection string ConnectionStrings:PromptHub " +
            "(environment variable ConnectionStrings__PromptHub), e.g. \"Host=localhost;Database=prompthub;Username=prompthub;Password=...\".");

        dataDirectory = Path.GetFullPath(dataDirectory);
        var parent = Path.GetDirectoryName(dataDirectory)!;
        Directory.CreateDirectory(parent);
        // initdb and postgres refuse to run as root; as root we run them as the `postgres` OS user,
        // which must own the data folder and be able to walk to it.
        var runAsPostgresUser = Environment.UserName == "root";
        var passwordFile = dataDirectory + ".password";

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            Initialize(binDirectory, dataDirectory, passwordFile, runAsPostgresUser);
        }

        var password = File.ReadAllText(passwordFile).Trim();
        // A server already running on the folder (another instance, or the CLI next to a running app) is
        // shared, and left running when this process ends while its owner lives. One left by a process
        // that is gone (a crash, kill -9) has no one else to stop it: this process takes it over.
        var running = RunningPort(dataDirectory);
        var owner = running is null || ServerOwner.Live(dataDirectory) is null;
        if (owner) ServerOwner.Claim(dataDirectory);
        var port = running ?? StartOnFreePort(binDirectory, dataDirectory, runAsPostgresUser, throwaway);
        var server = new LocalPostgres(dataDirectory, binDirectory, runAsPostgresUser, throwaway, owner, port, password, database);
        try
        {
            server.EnsureDatabase(database);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    }

    /// <summary>A connection string to another database of this cluster.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    public void EnsureDatabase(string database)
    {
        using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        connection.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(database);
        if (exists.ExecuteScalar() is null)
        {
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            create.ExecuteNonQuery();
        }
    }

    /// <summary>Stops a server left running on a folder by a process that is gone (a killed test run).</summary>
    internal static void StopOrphan(string dataDirectory)
    {
        if (!File.Exists(Path.Combine(dataDirectory, "postmaster.pid")) || FindBinaries(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql") is not { } bin) return;
        try
        {
            Run(bin, "pg_ctl", Environment.UserName == "root", "stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30");
        }
        catch (LocalPostgresUnavailableException)
        {
            // Not running after all.
        }
    }

    /// <summary>Stops the server but keeps this handle (tests of a database outage).</summary>
    internal void StopServer() =>
        Run(_binDirectory, "pg_ctl", _runAsPostgresUser, "stop", "-D", _dataDirectory, "-m", "fast", "-w", "-t", "30");

    /// <summary>Starts the server again on the same port, after <see cref="StopServer"/>.</summary>
    internal void StartServer() => StartServer(_binDirectory, _dataDirectory, _runAsPostgresUser, _throwaway, Port);

    public void Dispose()
    {
        lock (this)
        {
            if (_stopped) return;
            _stopped = true;
        }
        // Whoever is recorded as owner and still runs stops it: an owner that died after this process
        // attached leaves that to this one; two that took over at once leave it to the one recorded.
        var live = ServerOwner.Live(_dataDirectory);
        if (_owner ? live is { } other && other != Environment.ProcessId : live is not null) return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            Run(_binDirectory, "pg_ctl", _runAsPostgresUser, "stop", "-D", _dataDirectory, "-m", "fast", "-w", "-t", "30");
        }
        catch (LocalPostgresUnavailableException)
        {
            // Already stopped (a terminal's Ctrl+C reaches the server too): nothing left to do.
        }
    }

    static void Initialize(string binDirectory, string dataDirectory, string passwordFile, bool runAsPostgresUser)
    {
        Directory.CreateDirectory(dataDirectory);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(passwordFile, password);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (runAsPostgresUser)
        {
            MakeReachableByPostgres(dataDirectory);
            Run(null, "chown", false, "postgres", dataDirectory, passwordFile);
        }
        Run(binDirectory, "initdb", runAsPostgresUser,
            "-D", dataDirectory, "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256",
            "-E", "UTF8", "--locale", "C", "--no-instructions");
    }

    /// <summary>
    /// A port found free can be taken by another process (an outgoing connection's ephemeral port)
    /// before the server binds it: then the start is tried again on another one.
    /// </summary>
    static int StartOnFreePort(string binDirectory, string dataDirectory, bool runAsPostgresUser, bool throwaway)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return StartServer(binDirectory, dataDirectory, runAsPostgresUser, throwaway, FreeLoopbackPort());
            }
            catch (LocalPostgresUnavailableException) when (attempt < 3)
            {
            }
        }
    }

    static int StartServer(string binDirectory, string dataDirectory, bool runAsPostgresUser, bool throwaway, int port)
    {
        var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300";
        if (throwaway)
        {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }
        Run(binDirectory, "pg_ctl", runAsPostgresUser,
            "start", "-D", dataDirectory, "-w", "-t", "60", "-l", Path.Combine(dataDirectory, "server.log"), "-o", options);
        return port;
    }

    /// <summary>The port of a server already running on this folder (left by a process that crashed).</summary>
    static int? RunningPort(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        try
        {
            var lines = File.ReadAllLines(pidFile);
            if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port)) return null;
            using var process = Process.GetProcessById(pid);
            using var probe = new TcpClient();
            probe.Connect(IPAddress.Loopback, port);
            return port;
        }
        catch (Exception e) when (e is ArgumentException or SocketException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    static void MakeReachableByPostgres(string dataDirectory)
    {
        // Temporary folders are often 0700; postgres needs to traverse every parent of its data folder.
        if (OperatingSystem.IsWindows()) return;
        for (var dir = Path.GetDirectoryName(dataDirectory); dir is not null && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            var mode = File.GetUnixFileMode(dir);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            }
        }
    }

    static string? FindBinaries(string searchPath, string packageRoot)
    {
        foreach (var dir in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        }
        if (!Directory.Exists(packageRoot)) return null;
        return Directory.GetDirectories(packageRoot)
            .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.dir, "initdb")))
            .OrderByDescending(x => x.version)
            .Select(x => x.dir)
            .FirstOrDefault();
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static void Run(string? binDirectory, string program, bool runAsPostgresUser, params string[] arguments)
    {
        var executable = binDirectory is null ? program : Path.Combine(binDirectory, program);
        var start = new ProcessStartInfo(runAsPostgresUser ? "runuser" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server must not die with our terminal's Ctrl+C before we stop it cleanly.
            WorkingDirectory = "/",
        };
        if (runAsPostgresUser)
        {
            foreach (var a in new[] { "-u", "postgres", "--", executable }) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);

        using var process = Process.Start(start) ?? throw new LocalPostgresUnavailableException($"Could not start {program}.");
        // pg_ctl start leaves the server holding our pipes open: read to end would never return.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new LocalPostgresUnavailableException($"{program} did not finish within 90 seconds.");
        }
        if (process.ExitCode != 0)
        {
            var output = (stderr.Wait(TimeSpan.FromSeconds(1)) ? stderr.Result : "") + (stdout.Wait(TimeSpan.FromSeconds(1)) ? stdout.Result : "");
            throw new LocalPostgresUnavailableException($"{program} {arguments.FirstOrDefault()} failed (exit code {process.ExitCode}): {output.Trim()}");
        }
    }
}

public sealed class LocalPostgresUnavailableException(string message) : Exception(message);

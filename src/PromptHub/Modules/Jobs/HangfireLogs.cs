using Microsoft.Extensions.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// Hangfire logs through one provider per process. Its own ASP.NET Core provider keeps the logger
/// factory of the app that configured it last; once that app has stopped (a host restarted in the
/// same process, as the tests do), creating a logger throws ObjectDisposedException inside Hangfire's
/// workers, which then stall. This provider logs to the newest app still running, or nowhere.
/// </summary>
sealed class HangfireLogs : Hangfire.Logging.ILogProvider
{
    public static readonly HangfireLogs Instance = new();
    static readonly List<ILoggerFactory> Running = [];

    public static void Attach(ILoggerFactory factory)
    {
        lock (Running) Running.Add(factory);
    }

    public static void Detach(ILoggerFactory factory)
    {
        lock (Running) Running.Remove(factory);
    }

    public Hangfire.Logging.ILog GetLogger(string name) => new Log(name);

    sealed class Log(string name) : Hangfire.Logging.ILog
    {
        bool Hangfire.Logging.ILog.Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception)
        {
            ILoggerFactory? factory;
            lock (Running) factory = Running.LastOrDefault();
            if (factory is null) return false;
            var level = logLevel switch
            {
                HangfireLevel.Trace => LogLevel.Trace,
                HangfireLevel.Debug => LogLevel.Debug,
                HangfireLevel.Info => LogLevel.Information,
                HangfireLevel.Warn => LogLevel.Warning,
                HangfireLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            try
            {
                var logger = factory.CreateLogger(name);
                if (messageFunc is null) return logger.IsEnabled(level);
                if (logger.IsEnabled(level)) logger.Log(level, exception, "{Message}", messageFunc());
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}

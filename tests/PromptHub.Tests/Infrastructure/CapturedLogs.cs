using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace PromptHub.Tests.Infrastructure;

/// <summary>
/// Every log event the app writes, as a line like the console's ("Level Category: message exception"),
/// to check what reaches the logs. Serilog picks it up from the services as one more sink.
/// </summary>
public sealed class CapturedLogs : ILogEventSink
{
    static readonly MessageTemplateTextFormatter Line = new("{Level} {SourceContext}: {Message:lj} {Exception}");
    readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter();
        Line.Format(logEvent, text);
        _lines.Enqueue(text.ToString());
    }
}

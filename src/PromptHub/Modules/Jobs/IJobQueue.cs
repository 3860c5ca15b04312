namespace PromptHub.Modules.Jobs;

/// <summary>Runs a declared job once, now, on one instance of the cluster, with some data.</summary>
public interface IJobQueue
{
    Task EnqueueAsync(string jobName, IReadOnlyDictionary<string, string> data, CancellationToken ct);
}

namespace PromptHub.Client;

/// <summary>
/// Settings of the PromptHub client. <see cref="PromptHubServiceCollectionExtensions.AddPromptHubClient"/> reads
/// them from the configuration section <c>PromptHub</c> (when the service has an <c>IConfiguration</c>) and then
/// applies the code's own settings on top.
/// </summary>
public sealed class PromptHubClientOptions
{
    /// <summary>The PromptHub server, e.g. <c>http://prompthub:5080</c> (a path prefix is kept).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>A <c>reader</c> key of the project (sent as a bearer token; never logged).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The label asked for when a call names none.</summary>
    public string DefaultLabel { get; set; } = "production";

    /// <summary>How long a fetched prompt is served without asking the server again (Langfuse's SDK also uses 60 s).</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most prompt + label entries kept; past it the least recently used ones go.</summary>
    public int MaxCacheEntries { get; set; } = 1000;

    /// <summary>The longest one call to the server may take, retries included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of a call answered 408, 429 or 5xx, or that could not connect.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones double it (with jitter), unless the server sent <c>Retry-After</c>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// When true, <see cref="Prompt.Render(object?)"/> throws <see cref="PromptRenderException"/> for a variable or
    /// member the data lacks, as the server's render does; when false (the default) it renders empty.
    /// </summary>
    public bool StrictRendering { get; set; }

    /// <summary>
    /// Templates shipped with the service, by prompt name: the last fallback, used only when the prompt was never
    /// fetched and the server cannot be reached (after a per-call fallback and one from configuration).
    /// </summary>
    public IDictionary<string, FallbackPrompt> DefaultFallbacks { get; } = new Dictionary<string, FallbackPrompt>(StringComparer.Ordinal);

    /// <summary>Execution reporting.</summary>
    public ExecutionReportingOptions Reporting { get; } = new();
}

/// <summary>How executions are sent: in batches, in the background.</summary>
public sealed class ExecutionReportingOptions
{
    /// <summary>A batch is sent when it has this many executions (the server takes at most 1000)…</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>…or when its first execution has waited this long.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most executions held while PromptHub cannot be reached; past it the oldest are dropped (counted and logged).</summary>
    public int MaxBufferedExecutions { get; set; } = 10_000;

    /// <summary>The longest wait between two attempts at a batch while PromptHub cannot be reached.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long disposing the client (without a host) waits to send what is buffered.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

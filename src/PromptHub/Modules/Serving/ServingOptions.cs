namespace PromptHub.Modules.Serving;

/// <summary>`PromptHub:Serving`: the cache switch and the limits every render runs under.</summary>
public sealed class ServingOptions
{
    /// <summary>Off only to measure serving without it (one database round trip per request).</summary>
    public bool Cache { get; set; } = true;
    /// <summary>Most iterations of one loop (Scriban's LoopLimit); more is a 422.</summary>
    public int LoopLimit { get; set; } = 1_000;
    /// <summary>Deepest nesting of includes and function calls (Scriban's RecursiveLimit); deeper is a 422.</summary>
    public int RecursiveLimit { get; set; } = 100;
    /// <summary>Longest rendered prompt, in characters (Scriban's OutputLimit); longer is a 422.</summary>
    public int OutputLimit { get; set; } = 1_000_000;
    /// <summary>Longest render; a longer one is cancelled with a 422.</summary>
    public int RenderTimeoutMilliseconds { get; set; } = 2_000;

    public IEnumerable<string> Problems()
    {
        if (LoopLimit < 1) yield return "PromptHub:Serving:LoopLimit must be at least 1";
        if (RecursiveLimit < 1) yield return "PromptHub:Serving:RecursiveLimit must be at least 1";
        if (OutputLimit < 1) yield return "PromptHub:Serving:OutputLimit must be at least 1";
        if (RenderTimeoutMilliseconds < 1) yield return "PromptHub:Serving:RenderTimeoutMilliseconds must be at least 1";
    }
}

namespace PromptHub.Modules.Guardrails;

/// <summary>One thing a detector found in a text: what (entity or rule), where (UTF-16 offsets), how sure.</summary>
readonly record struct Detection(string Entity, int Start, int Length, double Score)
{
    public int End => Start + Length;
}

using System.Text.Json;

namespace PromptHub.Modules.Guardrails;

// What other modules may use of the Guardrails module: this file, nothing else.

/// <summary>
/// One thing a guardrail found in a variable: which guardrail (its name) and type, the entity (pii) or
/// rule (prompt_injection) or `BLOCKED_TERM` / `MAX_LENGTH`, the variable's path (`user.email`,
/// `items[2].text`), where in that string value (UTF-16 offsets, as JSON strings are indexed), how sure,
/// the action taken and a masked preview. Never the matched text itself.
/// </summary>
public sealed record GuardrailFinding(string Guardrail, string Type, string Entity, string Variable, int Start, int Length, double Score,
    string Action, string Preview);

/// <summary>The variables to render (redacted where a guardrail redacts) and the findings to show the caller (warn, redact).</summary>
public sealed record GuardedVariables(JsonElement Variables, IReadOnlyList<GuardrailFinding> Findings);

/// <summary>The project's active guardrails, compiled and held in memory, kept fresh by the change feed.</summary>
public interface IGuardrails
{
    /// <summary>
    /// Render: runs every active guardrail whose scope takes the prompt on the string values of
    /// <paramref name="variables"/> (at any depth). Null when nothing was found (or the project has no
    /// guardrail in scope: then no work is done). A `block` finding throws a 422 problem with the findings.
    /// </summary>
    ValueTask<GuardedVariables?> ApplyAsync(Guid projectId, string prompt, IReadOnlyList<string> tags, JsonElement variables);
}

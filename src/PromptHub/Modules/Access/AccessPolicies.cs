namespace PromptHub.Modules.Access;

/// <summary>
/// Who may do what: admin keys may do everything; reader keys read prompts and report usage;
/// ops keys drive the jobs dashboard. Endpoints name one of these policies.
/// </summary>
public static class AccessPolicies
{
    public const string Admin = "admin";
    public const string Reader = "reader";
    public const string Ops = "ops";
}

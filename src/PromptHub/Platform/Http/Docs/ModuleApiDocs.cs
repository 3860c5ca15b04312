using System.Reflection;

namespace PromptHub.Platform.Http;

/// <summary>
/// A module's part of the API docs: examples of its request bodies (typed, so that a renamed field
/// cannot leave a stale example behind), which of their fields are required, and what its parameters
/// mean. Swagger UI pre-fills the first example of each body and the example of each parameter; each
/// must succeed as it is when the operations are executed in the order an admin uses them (create,
/// upload, activate…), which a test checks. Implementations are found in the assembly by <see cref="ApiDocs"/>.
/// </summary>
public interface IModuleApiDocs
{
    void Describe(ModuleApiDocs docs);
}

public sealed record BodyExample(string Name, string Summary, object Value);

/// <summary>What the modules told the docs; read by the filters in this folder.</summary>
public sealed class ModuleApiDocs(DateTimeOffset now)
{
    readonly Dictionary<Type, List<BodyExample>> _examples = [];
    readonly Dictionary<Type, string[]> _required = [];
    readonly HashSet<(Type, string)> _anyJson = [];
    readonly List<(string Name, string Under, string Description, string? Example)> _parameters = [];
    readonly Dictionary<string, string> _policies = [];
    readonly List<(string Under, Type Schema, string MediaType)> _errors = [(ApiV1, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), "application/problem+json")];

    const string ApiV1 = "api/v1";

    /// <summary>When the document is generated: examples of recent events use it (an execution "a minute ago").</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>Examples of a body type, the first pre-filled; <paramref name="required"/> in JSON (camelCase) names.</summary>
    public ModuleApiDocs Body<T>(string[] required, params (string Name, string Summary, T Value)[] examples) where T : notnull
    {
        _required[typeof(T)] = required;
        if (examples.Length > 0) _examples[typeof(T)] = [.. examples.Select(e => new BodyExample(e.Name, e.Summary, e.Value))];
        return this;
    }

    /// <summary>A JSON-valued field that is not always an object (free JSON fields are objects otherwise).</summary>
    public ModuleApiDocs AnyJson<T>(string property)
    {
        _anyJson.Add((typeof(T), property));
        return this;
    }

    /// <summary>
    /// A path or query parameter of the routes under <paramref name="under"/> (`api/v1/prompts`); the most
    /// specific prefix wins. An example is what Swagger UI pre-fills (and sends) for it.
    /// </summary>
    public ModuleApiDocs Parameter(string name, string under, string description, string? example = null)
    {
        _parameters.Add((name, under.Trim('/'), description, example));
        return this;
    }

    /// <summary>Which keys an authorization policy lets in, as each operation's description names it.</summary>
    public ModuleApiDocs Policy(string name, string whoMay)
    {
        _policies[name] = whoMay;
        return this;
    }

    /// <summary>Routes under <paramref name="under"/> answer errors in this shape instead of problem+json.</summary>
    public ModuleApiDocs Errors<T>(string under, string mediaType = "application/json")
    {
        _errors.Add((under.Trim('/'), typeof(T), mediaType));
        return this;
    }

    public (Type Schema, string MediaType)? ErrorsOf(string relativePath) => _errors
        .Where(e => relativePath == e.Under || relativePath.StartsWith(e.Under + "/", StringComparison.Ordinal))
        .OrderByDescending(e => e.Under.Length).Select(e => ((Type, string)?)(e.Schema, e.MediaType)).FirstOrDefault();

    public string? WhoMay(string policy) => _policies.GetValueOrDefault(policy);

    public IReadOnlyList<BodyExample> ExamplesOf(Type type) => _examples.GetValueOrDefault(type) ?? [];

    public bool Describes(Type type) => _required.ContainsKey(type);

    public IReadOnlyList<string> RequiredOf(Type type) => _required.GetValueOrDefault(type) ?? [];

    public bool IsAnyJson(Type type, string property) => _anyJson.Contains((type, property));

    public (string Description, string? Example)? ParameterOf(string name, string relativePath) => _parameters
        .Where(p => p.Name == name && (relativePath == p.Under || relativePath.StartsWith(p.Under + "/", StringComparison.Ordinal)))
        .OrderByDescending(p => p.Under.Length).Select(p => ((string, string?)?)(p.Description, p.Example)).FirstOrDefault();

    /// <summary>Every module's part, gathered for one document.</summary>
    public static ModuleApiDocs FromAssembly(Assembly assembly, DateTimeOffset now)
    {
        var docs = new ModuleApiDocs(now);
        foreach (var type in assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IModuleApiDocs).IsAssignableFrom(t)).OrderBy(t => t.FullName))
        {
            ((IModuleApiDocs)Activator.CreateInstance(type, nonPublic: true)!).Describe(docs);
        }
        return docs;
    }
}

using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using PromptHub.Platform.Database;

namespace PromptHub.Tests.Platform;

/// <summary>
/// The house rule that keeps the modular monolith modular: a module uses of another module only what that
/// module publishes in its contract file (`Modules/X/XContract.cs`), and no module's SQL names another
/// module's tables, but for the exceptions listed here. Everything is one assembly, so `internal` cannot
/// say this; this test does, over every type, signature and method body (IL) of the application.
/// </summary>
public sealed partial class ModuleBoundaryTests
{
    static readonly Assembly App = typeof(PromptHubDb).Assembly;
    static readonly DirectoryInfo Source = FindSource();

    /// <summary>
    /// Reads of another module's tables, each with why it stays. Everything else goes through a contract.
    /// </summary>
    static readonly (string Module, string Table, string Why)[] TableReadExceptions =
    [
        ("Serving", "prompts.prompts", "the hot-path load of a served version: one query, measured by bench/serving.sh"),
        ("Serving", "prompts.prompt_versions", "the hot-path load of a served version: one query, measured by bench/serving.sh"),
        ("Serving", "prompts.labels", "the hot-path load of a served version: one query, measured by bench/serving.sh"),
    ];

    [Fact]
    public void A_module_uses_only_the_contracts_of_the_others()
    {
        var contracts = Modules().ToDictionary(module => module, ContractTypeNames);
        var entities = App.GetTypes().Where(IsMapping).Select(m => m.GetInterfaces().First(IsMappingInterface).GetGenericArguments()[0]).ToHashSet();
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in App.GetTypes())
        {
            var user = ModuleOf(type);
            if (user is null) continue;
            foreach (var used in TypesUsedBy(type))
            {
                var owner = ModuleOf(used);
                if (owner is null || owner == user) continue;
                var published = Outermost(used);
                if (owner == "Platform" || contracts.GetValueOrDefault(owner)?.Contains(published.Name) == true) continue;
                if (IsMapping(type) && entities.Contains(used)) continue; // a foreign key into another module's table, kept valid by the database
                violations.Add($"{user} ({Outermost(type).Name}) uses {owner}.{published.Name}, which Modules/{owner}/{owner}Contract.cs does not publish");
            }
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void The_platform_knows_no_module()
    {
        var violations = App.GetTypes().Where(type => ModuleOf(type) == "Platform")
            .SelectMany(type => TypesUsedBy(type).Where(used => ModuleOf(used) is { } owner && owner != "Platform")
                .Select(used => $"{Outermost(type).Name} uses {ModuleOf(used)}.{Outermost(used).Name}"))
            .Distinct().Order().ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void A_module_reads_no_other_modules_tables_but_the_listed_exceptions()
    {
        var tables = TableOwners();
        var violations = new List<string>();
        foreach (var module in Modules())
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Source.FullName, "Modules", module), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match table in QualifiedTable().Matches(File.ReadAllText(file)))
                {
                    var name = $"{table.Groups["schema"].Value}.{table.Groups["table"].Value}";
                    if (!tables.TryGetValue(name, out var owner) && !tables.TryGetValue($"{table.Groups["schema"].Value}.*", out owner)) continue;
                    if (owner == module) continue;
                    if (TableReadExceptions.Any(e => e.Module == module && e.Table == name)) continue;
                    violations.Add($"{module} ({Path.GetFileName(file)}) names {owner}'s table {name}");
                }
            }
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations.Distinct()));
    }

    [Fact]
    public void Every_module_has_a_contract_file_and_one_entry_point()
    {
        foreach (var module in Modules())
        {
            Assert.True(File.Exists(ContractFile(module)), $"Modules/{module} has no {module}Contract.cs");
            Assert.True(App.GetType($"PromptHub.Modules.{module}.{module}Module") is { IsAbstract: true, IsSealed: true },
                $"Modules/{module} has no static {module}Module entry point");
        }
    }

    [Fact]
    public void The_checks_see_what_they_look_for()
    {
        // The scanner must find a use inside a method body, or the first test would pass on an empty scan.
        Assert.Contains(typeof(PromptHubDb), TypesUsedBy(typeof(ModuleBoundaryProbe)));
        Assert.NotEmpty(ContractTypeNames("Prompts"));
        Assert.Equal("Prompts", TableOwners()["prompts.prompt_versions"]);
    }

    static IEnumerable<string> Modules() =>
        Directory.EnumerateDirectories(Path.Combine(Source.FullName, "Modules")).Select(Path.GetFileName).Order()!;

    static string ContractFile(string module) => Path.Combine(Source.FullName, "Modules", module, $"{module}Contract.cs");

    /// <summary>The types a contract file declares (their nested types come with them).</summary>
    static HashSet<string> ContractTypeNames(string module) =>
        File.Exists(ContractFile(module))
            ? DeclaredType().Matches(File.ReadAllText(ContractFile(module))).Select(m => m.Groups["name"].Value).ToHashSet()
            : [];

    /// <summary>Which module owns which table (`schema.table`): what its `XSchema.cs` maps (`ToTable("t", XSchema.Name)`).</summary>
    static Dictionary<string, string> TableOwners()
    {
        // The Jobs module owns Hangfire's schema (any table in it) and its own pause log.
        var owners = new Dictionary<string, string> { ["hangfire.*"] = "Jobs", ["jobs.pause_log"] = "Jobs" };
        foreach (var module in Modules())
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Source.FullName, "Modules", module), "*Schema.cs"))
            {
                var text = File.ReadAllText(file);
                if (SchemaName().Match(text) is not { Success: true } schema) continue;
                foreach (Match table in MappedTable().Matches(text))
                {
                    owners[$"{schema.Groups["schema"].Value}.{table.Groups["table"].Value}"] = module;
                }
            }
        }
        return owners;
    }

    /// <summary>An EF Core mapping (`IEntityTypeConfiguration&lt;T&gt;`): it may point a foreign key at another module's entity.</summary>
    static bool IsMapping(Type type) => type.GetInterfaces().Any(IsMappingInterface);

    static bool IsMappingInterface(Type face) =>
        face.IsGenericType && face.GetGenericTypeDefinition() == typeof(Microsoft.EntityFrameworkCore.IEntityTypeConfiguration<>);

    static string? ModuleOf(Type type)
    {
        var space = Outermost(type).Namespace ?? "";
        if (space == "PromptHub.Platform" || space.StartsWith("PromptHub.Platform.", StringComparison.Ordinal)) return "Platform";
        return space.StartsWith("PromptHub.Modules.", StringComparison.Ordinal) ? space.Split('.')[2] : null;
    }

    static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>Every type a type names: base, interfaces, attributes, members' signatures, locals, and what its method bodies touch.</summary>
    static HashSet<Type> TypesUsedBy(Type type)
    {
        var used = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments()) Add(argument);
                return;
            }
            if (t.Assembly == App) used.Add(t);
        }
        void AddMember(MemberInfo? member)
        {
            switch (member)
            {
                case Type t: Add(t); break;
                case FieldInfo field: Add(field.DeclaringType); Add(field.FieldType); break;
                case MethodBase method:
                    Add(method.DeclaringType);
                    if (method is MethodInfo info) { Add(info.ReturnType); if (info.IsGenericMethod) foreach (var a in info.GetGenericArguments()) Add(a); }
                    foreach (var parameter in method.GetParameters()) Add(parameter.ParameterType);
                    break;
            }
        }

        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        Add(type.BaseType);
        foreach (var face in type.GetInterfaces()) Add(face);
        foreach (var attribute in type.CustomAttributes) Add(attribute.AttributeType);
        foreach (var field in type.GetFields(declared)) Add(field.FieldType);
        foreach (var property in type.GetProperties(declared)) Add(property.PropertyType);
        foreach (var method in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
        {
            AddMember(method);
            var body = method.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var token in MemberTokens(body.GetILAsByteArray() ?? []))
            {
                try
                {
                    AddMember(method.Module.ResolveMember(token,
                        type.IsGenericType ? type.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null));
                }
                catch (ArgumentException)
                {
                    // A token into a generic context the reflection API cannot rebuild; its open form is seen elsewhere.
                }
            }
        }
        return used;
    }

    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!).ToDictionary(code => code.Value);

    /// <summary>The metadata tokens of the members, types and fields an IL body refers to.</summary>
    static IEnumerable<int> MemberTokens(byte[] il)
    {
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return BitConverter.ToInt32(il, at);
                    at += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: at += 1; break;
                case OperandType.InlineVar: at += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: at += 8; break;
                case OperandType.InlineSwitch: at += 4 + 4 * BitConverter.ToInt32(il, at); break;
                default: at += 4; break;
            }
        }
    }

    static DirectoryInfo FindSource()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var source = new DirectoryInfo(Path.Combine(dir.FullName, "src", "PromptHub"));
            if (source.Exists) return source;
        }
        throw new DirectoryNotFoundException("src/PromptHub not found above the test's output folder");
    }

    [GeneratedRegex(@"^(?:public |internal )?(?:(?:sealed|static|abstract|readonly|partial) )*(?:class|record struct|record|interface|enum|struct) (?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex DeclaredType();

    [GeneratedRegex(@"const string Name = ""(?<schema>[a-z_]+)""")]
    private static partial Regex SchemaName();

    [GeneratedRegex(@"ToTable\(""(?<table>[a-z_]+)"", \w+Schema\.Name")]
    private static partial Regex MappedTable();

    [GeneratedRegex(@"\b(?<schema>[a-z_]+)\.(?<table>[a-z_]+)\b(?=[^""\n]*"")")]
    private static partial Regex QualifiedTable();
}

/// <summary>A use of the database inside a method body, for <see cref="ModuleBoundaryTests.The_checks_see_what_they_look_for"/>.</summary>
static class ModuleBoundaryProbe
{
    public static string Use() => typeof(PromptHubDb).Name;
}

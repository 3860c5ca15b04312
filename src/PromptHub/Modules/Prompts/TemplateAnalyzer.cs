using System.Text.RegularExpressions;
using HandlebarsDotNet;

namespace PromptHub.Modules.Prompts;

/// <summary>Where and why a template does not compile. Line and column count from 1.</summary>
public sealed record TemplateError(string Message, int Line, int Column);

/// <summary>What a template needs: the top-level variables a caller passes, and the prompts it includes.</summary>
public sealed record TemplateAnalysis(IReadOnlyList<string> Variables, IReadOnlyList<PromptReference> References, TemplateError? Error);

/// <summary>
/// Reads a Handlebars template once at upload: checks that it compiles (our scanner first, for exact
/// positions, then Handlebars.Net itself as the authority) and lists the variables it uses.
/// A variable is a name looked up in the caller's data: `{{name}}`, `{{user.name}}` (→ user),
/// `{{#each items}}` (→ items); names inside an each/with block refer to the item and are not variables.
/// </summary>
public static partial class TemplateAnalyzer
{
    /// <summary>Helpers a template may call; anything else would fail at render, so it fails at upload.</summary>
    static readonly HashSet<string> BlockHelpers = ["if", "unless", "each", "with"];
    static readonly HashSet<string> InlineHelpers = ["lookup", "log"];
    static readonly HashSet<string> Literals = ["true", "false", "null", "undefined"];

    static readonly IHandlebars Compiler = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });

    public static TemplateAnalysis Analyze(string template)
    {
        var scan = new Scanner(template);
        var error = scan.Run();
        if (error is null)
        {
            try
            {
                Compiler.Compile(template);
            }
            catch (Exception e) when (e is HandlebarsException or InvalidOperationException or ArgumentException)
            {
                error = FromCompiler(e.Message);
            }
        }
        return new TemplateAnalysis(scan.Variables.Order(StringComparer.Ordinal).ToList(),
            scan.References.DistinctBy(r => r.ToString()).OrderBy(r => r.ToString(), StringComparer.Ordinal).ToList(), error);
    }

    static TemplateError FromCompiler(string message)
    {
        var position = CompilerPosition().Match(message);
        var text = CompilerPosition().Replace(message, "").Trim();
        if (text.Length == 0 || text == "Sequence contains no matching element") text = "the template does not compile";
        return position.Success
            ? new TemplateError(text, int.Parse(position.Groups[1].Value) + 1, int.Parse(position.Groups[2].Value) + 1)
            : new TemplateError(text, 1, 1);
    }

    [GeneratedRegex(@"\s*Occured at:\s*(\d+):(\d+)\s*")]
    private static partial Regex CompilerPosition();

    sealed class Block(string helper, int line, int column, bool changesContext, HashSet<string> locals)
    {
        public string Helper { get; } = helper;
        public int Line { get; } = line;
        public int Column { get; } = column;
        /// <summary>Inside each/with the context is the item, until `{{else}}` returns to the outer one.</summary>
        public bool ChangesContext { get; set; } = changesContext;
        public HashSet<string> Locals { get; } = locals;
    }

    sealed class Scanner(string text)
    {
        readonly Stack<Block> _blocks = new();
        int _line = 1;
        int _column = 1;
        int _index;

        public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);
        public List<PromptReference> References { get; } = [];

        int Depth => _blocks.Count(b => b.ChangesContext);

        public TemplateError? Run()
        {
            while (true)
            {
                var open = text.IndexOf("{{", _index, StringComparison.Ordinal);
                if (open < 0) break;
                if (open > 0 && text[open - 1] == '\\')
                {
                    Advance(open + 2); // `\{{` is an escaped, literal mustache
                    continue;
                }
                Advance(open);
                var (startLine, startColumn) = (_line, _column);
                var (close, closer) = FindClose(open);
                if (close < 0) return new TemplateError("'{{' is never closed with '}}'", startLine, startColumn);

                var inner = text[(open + 2)..close];
                Advance(close + closer.Length);
                var error = Mustache(inner, startLine, startColumn);
                if (error is not null) return error;
            }
            if (_blocks.Count > 0)
            {
                var block = _blocks.Peek();
                return new TemplateError($"'{{{{#{block.Helper}}}}}' is never closed with '{{{{/{block.Helper}}}}}'", block.Line, block.Column);
            }
            return null;
        }

        (int Index, string Closer) FindClose(int open)
        {
            if (string.CompareOrdinal(text, open, "{{!--", 0, 5) == 0) return (text.IndexOf("--}}", open + 5, StringComparison.Ordinal), "--}}");
            if (string.CompareOrdinal(text, open, "{{{", 0, 3) == 0)
            {
                var end = text.IndexOf("}}}", open + 3, StringComparison.Ordinal);
                return (end < 0 ? -1 : end + 1, "}}"); // inner then starts and ends with a brace
            }
            return (text.IndexOf("}}", open + 2, StringComparison.Ordinal), "}}");
        }

        void Advance(int to)
        {
            for (; _index < to; _index++)
            {
                if (text[_index] == '\n') { _line++; _column = 1; }
                else _column++;
            }
        }

        TemplateError? Mustache(string inner, int line, int column)
        {
            if (inner.StartsWith('{') && inner.EndsWith('}')) inner = inner[1..^1]; // triple-stash: same lookup, unescaped
            inner = inner.Trim().Trim('~').Trim();
            if (inner.Length == 0) return new TemplateError("'{{}}' is empty", line, column);

            switch (inner[0])
            {
                case '!':
                    return null;
                case '>':
                    var include = Tokenize(inner[1..]);
                    if (include.Count != 1) return new TemplateError("include another prompt as {{> name}} or {{> name@label}}, with nothing else", line, column);
                    var reference = PromptReference.Parse(include[0].Trim('"', '\''));
                    if (reference is null) return new TemplateError($"'{include[0]}' is not a prompt name with an optional @label", line, column);
                    References.Add(reference);
                    return null;
                case '#':
                case '^':
                    return Open(inner[1..], inverse: inner[0] == '^', line, column);
                case '/':
                    return Close(inner[1..].Trim(), line, column);
                case '&':
                    return Expression(Tokenize(inner[1..]), line, column);
            }
            var tokens = Tokenize(inner);
            if (tokens[0] == "else")
            {
                if (_blocks.Count == 0) return new TemplateError("'{{else}}' is outside of any block", line, column);
                _blocks.Peek().ChangesContext = false;
                if (tokens.Count > 1)
                {
                    // `{{else if x}}` chains a new condition, evaluated in the outer context.
                    if (!BlockHelpers.Contains(tokens[1])) return new TemplateError($"'{tokens[1]}' is not a known block helper", line, column);
                    return Arguments(tokens.Skip(2), line, column);
                }
                return null;
            }
            return Expression(tokens, line, column);
        }

        TemplateError? Open(string body, bool inverse, int line, int column)
        {
            var tokens = Tokenize(body);
            if (tokens.Count == 0) return new TemplateError("a block names no helper", line, column);
            var helper = tokens[0];
            var locals = new HashSet<string>(StringComparer.Ordinal);
            var asIndex = tokens.IndexOf("as");
            if (asIndex > 0)
            {
                foreach (var local in tokens.Skip(asIndex + 1)) locals.Add(local.Trim('|'));
                tokens = tokens.Take(asIndex).ToList();
            }

            if (inverse || !BlockHelpers.Contains(helper))
            {
                if (!inverse && tokens.Count > 1) return new TemplateError($"'{helper}' is not a known block helper", line, column);
                // `{{#items}}…{{/items}}` and `{{^items}}`: a section over a variable, like `#each`/`#unless`.
                var error = Arguments(tokens, line, column);
                if (error is not null) return error;
                _blocks.Push(new Block(helper, line, column, changesContext: !inverse, locals));
                return null;
            }

            if (tokens.Count < 2) return new TemplateError($"'{{{{#{helper}}}}}' needs an argument", line, column);
            var argumentsError = Arguments(tokens.Skip(1), line, column);
            if (argumentsError is not null) return argumentsError;
            _blocks.Push(new Block(helper, line, column, helper is "each" or "with", locals));
            return null;
        }

        TemplateError? Close(string name, int line, int column)
        {
            if (_blocks.Count == 0) return new TemplateError($"'{{{{/{name}}}}}' closes no open block", line, column);
            var block = _blocks.Pop();
            return block.Helper == name
                ? null
                : new TemplateError($"'{{{{/{name}}}}}' does not match '{{{{#{block.Helper}}}}}' opened at line {block.Line}, column {block.Column}", line, column);
        }

        TemplateError? Expression(List<string> tokens, int line, int column)
        {
            if (tokens.Count == 0) return new TemplateError("'{{}}' is empty", line, column);
            if (tokens.Count == 1) return Path(tokens[0], line, column);
            if (!InlineHelpers.Contains(tokens[0]))
            {
                return new TemplateError($"'{tokens[0]}' is not a known helper (available: {string.Join(", ", InlineHelpers.Concat(BlockHelpers))})", line, column);
            }
            return Arguments(tokens.Skip(1), line, column);
        }

        TemplateError? Arguments(IEnumerable<string> tokens, int line, int column)
        {
            foreach (var token in tokens)
            {
                var value = token;
                var equals = token.IndexOf('=');
                if (equals > 0 && !token.StartsWith('"') && !token.StartsWith('\'')) value = token[(equals + 1)..];
                if (value.StartsWith('('))
                {
                    var sub = Tokenize(value.Trim('(', ')'));
                    var error = sub.Count == 0 ? null : Expression(sub, line, column);
                    if (error is not null) return error;
                    continue;
                }
                var pathError = Path(value, line, column);
                if (pathError is not null) return pathError;
            }
            return null;
        }

        TemplateError? Path(string path, int line, int column)
        {
            if (path.Length == 0 || path.StartsWith('"') || path.StartsWith('\'') || Literals.Contains(path) ||
                char.IsDigit(path[0]) || (path[0] == '-' && path.Length > 1 && char.IsDigit(path[1])))
            {
                return null;
            }
            if (path.StartsWith("@root.", StringComparison.Ordinal))
            {
                AddVariable(path["@root.".Length..]);
                return null;
            }
            if (path.StartsWith('@')) return null; // @index, @key, @first, @last
            if (path is "this" or ".") return null;

            var ups = 0;
            while (path.StartsWith("../", StringComparison.Ordinal)) { ups++; path = path[3..]; }
            if (path.StartsWith("this.", StringComparison.Ordinal)) path = path[5..];
            else if (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
            if (path.Length == 0) return null;

            var first = FirstSegment(path);
            if (ups == 0 && _blocks.Any(b => b.Locals.Contains(first))) return null;
            if (Depth - ups <= 0) AddVariable(path);
            return null;
        }

        void AddVariable(string path)
        {
            var first = FirstSegment(path);
            if (first.Length > 0) Variables.Add(first);
        }

        static string FirstSegment(string path)
        {
            if (path.StartsWith('['))
            {
                var end = path.IndexOf(']');
                return end > 0 ? path[1..end] : path;
            }
            var cut = path.IndexOfAny(['.', '/', '[']);
            return cut < 0 ? path : path[..cut];
        }

        /// <summary>Splits on spaces outside quotes, brackets and parentheses.</summary>
        static List<string> Tokenize(string body)
        {
            var tokens = new List<string>();
            var current = new System.Text.StringBuilder();
            var depth = 0;
            char quote = '\0';
            var bracket = false;
            foreach (var c in body)
            {
                if (quote != '\0')
                {
                    current.Append(c);
                    if (c == quote) quote = '\0';
                    continue;
                }
                switch (c)
                {
                    case '"' or '\'':
                        quote = c;
                        break;
                    case '[':
                        bracket = true;
                        break;
                    case ']':
                        bracket = false;
                        break;
                    case '(':
                        depth++;
                        break;
                    case ')':
                        depth--;
                        break;
                }
                if (char.IsWhiteSpace(c) && depth == 0 && !bracket)
                {
                    if (current.Length > 0) tokens.Add(current.ToString());
                    current.Clear();
                    continue;
                }
                current.Append(c);
            }
            if (current.Length > 0) tokens.Add(current.ToString());
            return tokens;
        }
    }
}

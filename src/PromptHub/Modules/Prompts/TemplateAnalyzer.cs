using Scriban.Parsing;
using Scriban.Syntax;

namespace PromptHub.Modules.Prompts;

/// <summary>
/// Reads a template once at upload with Scriban's own parser: checks that it parses, and lists the
/// variables it reads (the global names, minus what it assigns, loop variables and builtins) and the
/// prompts it includes. An include names its prompt in quotes, as a tag of its own, so that the walk
/// sees every prompt a render can reach.
/// </summary>
static class TemplateAnalyzer
{
    /// <summary>Names the loops define for their own state (`for.index`, Liquid's `forloop.index`).</summary>
    static readonly HashSet<string> LoopStates = ["for", "while", "tablerow"];

    public static TemplateAnalysis Analyze(string text, TemplateFormat format = TemplateFormat.Scriban)
    {
        var template = TemplateLanguage.Parse(text, format);
        if (template.HasErrors)
        {
            var first = template.Messages.First(m => m.Type == ParserMessageType.Error);
            return new TemplateAnalysis([], [], new TemplateError(first.Message, first.Span.Start.Line + 1, first.Span.Start.Column + 1));
        }
        if (format == TemplateFormat.Scriban && UnclosedTag(text) is { } unclosed) return new TemplateAnalysis([], [], unclosed);

        var reads = new Reads(text, format);
        reads.Visit(template.Page);
        if (reads.Error is not null) return new TemplateAnalysis([], [], reads.Error);
        var variables = reads.Globals
            .Where(name => !reads.Defined.Contains(name) && !LoopStates.Contains(name) && !TemplateLanguage.IsBuiltin(format, name))
            .Order(StringComparer.Ordinal).ToList();
        return new TemplateAnalysis(variables, reads.Includes, null);
    }

    /// <summary>Scriban renders `Hello {{ name` (a tag left open at the very end) as if it were closed; PromptHub refuses it.</summary>
    static TemplateError? UnclosedTag(string text)
    {
        Token? open = null;
        foreach (var token in new Lexer(text))
        {
            if (token.Type == TokenType.CodeEnter) open = token;
            else if (token.Type == TokenType.CodeExit) open = null;
        }
        return open is { } tag ? new TemplateError("'{{' is never closed with '}}'", tag.Start.Line + 1, tag.Start.Column + 1) : null;
    }

    /// <summary>The global names a template reads and defines, and its includes.</summary>
    sealed class Reads(string text, TemplateFormat format) : ScriptVisitor
    {
        int _withDepth;

        public HashSet<string> Globals { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Defined { get; } = new(StringComparer.Ordinal);
        public List<IncludeTag> Includes { get; } = [];
        public TemplateError? Error { get; private set; }

        public override void Visit(ScriptVariableGlobal node)
        {
            if (node.Name is "include" or "include_join")
            {
                Fail(node, format == TemplateFormat.Liquid
                    ? "include another prompt as {% include 'name' %} or {% include 'name@label' %}"
                    : "include another prompt as {{ include 'name' }} or {{ include 'name@label' }}");
                return;
            }
            // Inside `with x`, names are members of x, not variables of the caller.
            if (_withDepth == 0) Globals.Add(node.Name);
        }

        /// <summary>In `user.name` only `user` is a variable; `name` is its member.</summary>
        public override void Visit(ScriptMemberExpression node)
        {
            if (node.Target is ScriptVariableGlobal { Name: "object" } && node.Member is ScriptVariable { Name: "eval" or "eval_template" } member)
            {
                Fail(node, $"object.{member.Name} is not available: a template reads only the variables it names");
                return;
            }
            Visit(node.Target);
        }

        public override void Visit(ScriptForStatement node)
        {
            Define(node.Variable);
            Visit(node.Iterator);
            Visit(node.NamedArguments);
            Visit(node.Body);
        }

        public override void Visit(ScriptTableRowStatement node)
        {
            Define(node.Variable);
            Visit(node.Iterator);
            Visit(node.NamedArguments);
            Visit(node.Body);
        }

        public override void Visit(ScriptAssignExpression node)
        {
            if (node.Target is ScriptVariableGlobal) Define(node.Target);
            else Visit(node.Target);
            Visit(node.Value);
        }

        public override void Visit(ScriptCaptureStatement node)
        {
            Define(node.Target);
            Visit(node.Body);
        }

        public override void Visit(ScriptFunction node)
        {
            Define(node.NameOrDoToken);
            foreach (var parameter in node.Parameters ?? []) Define(parameter.Name);
            Visit(node.Body);
        }

        public override void Visit(ScriptWithStatement node)
        {
            Visit(node.Name);
            _withDepth++;
            Visit(node.Body);
            _withDepth--;
        }

        public override void Visit(ScriptFunctionCall node)
        {
            if (node.Target is not ScriptVariableGlobal { Name: "include" })
            {
                base.Visit(node);
                return;
            }
            if (node.Arguments.Count != 1 || node.Arguments[0] is not ScriptLiteral { Value: string name })
            {
                Fail(node, "an include names one prompt in quotes: {{ include 'name' }} or {{ include 'name@label' }}");
                return;
            }
            var include = PromptInclude.Parse(name);
            if (include is null)
            {
                Fail(node, $"'{name}' is not a prompt name with an optional @label");
                return;
            }
            var tag = WholeTag(node);
            if (tag is null)
            {
                Fail(node, format == TemplateFormat.Liquid
                    ? "write an include as a tag of its own: {% include 'name' %}"
                    : "write an include as a tag of its own: {{ include 'name' }}");
                return;
            }
            Includes.Add(new IncludeTag(include, tag.Value.Start, tag.Value.Length));
        }

        /// <summary>The `{{ … }}` (or `{% … %}`) around the call, when the call is all it holds.</summary>
        (int Start, int Length)? WholeTag(ScriptNode call)
        {
            var (open, close) = format == TemplateFormat.Liquid ? ("{%", "%}") : ("{{", "}}");
            var start = call.Span.Start.Offset - 1;
            while (start >= 0 && text[start] is ' ' or '\t') start--;
            var end = call.Span.End.Offset + 1;
            while (end < text.Length && text[end] is ' ' or '\t') end++;
            if (start < 1 || string.CompareOrdinal(text, start - 1, open, 0, 2) != 0) return null;
            if (end + 1 >= text.Length || string.CompareOrdinal(text, end, close, 0, 2) != 0) return null;
            return (start - 1, end + 2 - (start - 1));
        }

        void Define(ScriptNode? node)
        {
            if (node is ScriptVariable variable) Defined.Add(variable.Name);
        }

        void Fail(ScriptNode node, string message) =>
            Error ??= new TemplateError(message, node.Span.Start.Line + 1, node.Span.Start.Column + 1);
    }
}

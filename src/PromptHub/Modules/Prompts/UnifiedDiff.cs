using System.Text;
using DiffPlex;

namespace PromptHub.Modules.Prompts;

/// <summary>A unified diff (`diff -u` format, 3 lines of context) of two texts, line by line.</summary>
static class UnifiedDiff
{
    const int Context = 3;

    enum Op { Equal, Delete, Insert }

    public static string Create(string oldText, string newText, string oldName, string newName)
    {
        if (oldText == newText) return "";
        var result = new Differ().CreateLineDiffs(oldText, newText, false);
        var oldLines = result.PiecesOld;
        var newLines = result.PiecesNew;

        // The whole edit script: every line of both texts, in order, as equal/delete/insert.
        var script = new List<(Op Op, string Line)>();
        int a = 0, b = 0;
        foreach (var block in result.DiffBlocks)
        {
            while (a < block.DeleteStartA) { script.Add((Op.Equal, oldLines[a++])); b++; }
            for (var i = 0; i < block.DeleteCountA; i++) script.Add((Op.Delete, oldLines[a++]));
            for (var i = 0; i < block.InsertCountB; i++) script.Add((Op.Insert, newLines[b++]));
        }
        while (a < oldLines.Length) { script.Add((Op.Equal, oldLines[a++])); b++; }

        var output = new StringBuilder().Append("--- ").Append(oldName).Append('\n').Append("+++ ").Append(newName).Append('\n');
        var changes = Enumerable.Range(0, script.Count).Where(i => script[i].Op != Op.Equal).ToList();
        var h = 0;
        while (h < changes.Count)
        {
            // A hunk runs from its first change to the last change whose gap to the next one is at most 2×context.
            var first = changes[h];
            var last = first;
            while (h + 1 < changes.Count && changes[h + 1] - last <= 2 * Context + 1) last = changes[++h];
            h++;
            var start = Math.Max(0, first - Context);
            var end = Math.Min(script.Count - 1, last + Context);

            int oldStart = 1 + script.Take(start).Count(s => s.Op != Op.Insert);
            int newStart = 1 + script.Take(start).Count(s => s.Op != Op.Delete);
            var hunk = script.Skip(start).Take(end - start + 1).ToList();
            int oldCount = hunk.Count(s => s.Op != Op.Insert), newCount = hunk.Count(s => s.Op != Op.Delete);
            output.Append("@@ -").Append(Range(oldStart, oldCount)).Append(" +").Append(Range(newStart, newCount)).Append(" @@\n");
            foreach (var (op, line) in hunk)
            {
                output.Append(op switch { Op.Delete => '-', Op.Insert => '+', _ => ' ' }).Append(line).Append('\n');
            }
        }
        return output.ToString();
    }

    // An empty range is written as the line before it, as diff -u does.
    static string Range(int start, int count) => count == 0 ? $"{start - 1},0" : count == 1 ? $"{start}" : $"{start},{count}";
}

using System.Text.RegularExpressions;

namespace Warehouse.Core.Migrations;

/// <summary>
/// The order repeatables run in: each after every repeatable whose objects it reads, so a view comes after the views it
/// selects from whatever the files are called. Scripts that do not read each other keep the order of their layer
/// (<see cref="Layers"/>), then of their file names. A cycle is an error naming the scripts that cannot run.
/// </summary>
public static partial class RepeatableOrder
{
    /// <summary>The layer folders under migrations/, upstream first: a layer reads only its own and earlier ones.</summary>
    public static readonly string[] Layers = ["staging", "core", "marts"];

    public static List<MigrationScript> Sort(IEnumerable<MigrationScript> repeatables)
    {
        var remaining = repeatables.OrderBy(s => LayerRank(s.Layer)).ThenBy(s => s.FileName, StringComparer.Ordinal).ToList();
        var creators = remaining.SelectMany(s => CreatedObjects(s.Text).Select(name => (name, s.FileName)))
            .DistinctBy(c => c.name).ToDictionary(c => c.name, c => c.FileName, StringComparer.Ordinal);
        var reads = remaining.ToDictionary(
            s => s.FileName,
            s => NamesIn(s.Text).Where(creators.ContainsKey).Select(n => creators[n]).Where(f => f != s.FileName).ToHashSet());
        var sorted = new List<MigrationScript>();
        var done = new HashSet<string>();
        while (remaining.Count > 0)
        {
            var next = remaining.Find(s => reads[s.FileName].IsSubsetOf(done))
                ?? throw new WarehouseException(
                    $"repeatable scripts read each other's objects in a cycle, none can run first: {string.Join(", ", remaining.Select(s => s.FileName))}");
            sorted.Add(next);
            done.Add(next.FileName);
            remaining.Remove(next);
        }
        return sorted;
    }

    /// <summary>Position of a layer folder in <see cref="Layers"/>; the top folder and any other come after them.</summary>
    public static int LayerRank(string layer) => Array.IndexOf(Layers, layer) is var i and >= 0 ? i : Layers.Length;

    /// <summary>The views, tables and functions a script creates, named as it names them (lower case).</summary>
    public static IReadOnlyList<string> CreatedObjects(string text) =>
        [.. CreatePattern().Matches(Code(text)).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct()];

    /// <summary>Every name (schema.object or a bare one) in a script's code, comments and string literals left out.</summary>
    public static IReadOnlySet<string> NamesIn(string text) =>
        NamePattern().Matches(Code(text)).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    // Comments and literals name objects without reading them (a comment on a column, a note on where a rule lives).
    private static string Code(string text) => CommentOrLiteral().Replace(text, " ");

    [GeneratedRegex(@"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex CommentOrLiteral();

    [GeneratedRegex(@"\bcreate\s+(?:or\s+replace\s+)?(?:materialized\s+)?(?:view|table|function)\s+(?:if\s+not\s+exists\s+)?([a-z_][\w$]*(?:\.[a-z_][\w$]*)?)",
        RegexOptions.IgnoreCase)]
    private static partial Regex CreatePattern();

    [GeneratedRegex(@"(?<![\w$.])[a-z_][\w$]*(?:\.[a-z_][\w$]*)?", RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();
}

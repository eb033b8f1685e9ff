using System.Text.RegularExpressions;

namespace Warehouse.Core.Migrations;

/// <summary>Reads the scripts of a migrations folder for one target and resolves their <c>${variables}</c>.</summary>
public static partial class MigrationSource
{
    public static IReadOnlyList<MigrationScript> Load(string directory, string target = "postgres")
    {
        if (!Directory.Exists(directory))
        {
            throw new WarehouseException($"migrations folder not found: {directory}");
        }
        // Scripts sit in one folder per layer (staging/, core/, marts/) or at the top. A script is known by its file name
        // alone (the history records no folder), so moving it between folders re-runs nothing; two files of one name
        // would share a history entry.
        var files = Directory.GetFiles(directory, "*.sql", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var sameName = files.GroupBy(Path.GetFileName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (sameName is not null)
        {
            throw new WarehouseException($"two migrations share the file name {sameName.Key}: {string.Join(", ", sameName.Select(f => Path.GetRelativePath(directory, f)))}");
        }
        // A target variant (x.redshift.sql) replaces the plain file (x.sql) for that target; other targets' variants are ignored.
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var fileTarget = MigrationScript.TargetOf(name);
            if (fileTarget is not null && fileTarget != target)
            {
                continue;
            }
            var baseName = MigrationScript.BaseNameOf(name);
            if (fileTarget is not null || !chosen.ContainsKey(baseName))
            {
                chosen[baseName] = file;
            }
        }

        var scripts = chosen.Values
            .Select(f => MigrationScript.FromFile(f, File.ReadAllText(f)) with { Layer = LayerOf(directory, f) })
            .ToList();
        var duplicate = scripts.Where(s => s.Kind == MigrationKind.Versioned)
            .GroupBy(s => s.VersionNumber).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new WarehouseException($"two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.FileName))}");
        }
        return [
            .. scripts.Where(s => s.Kind == MigrationKind.Versioned).OrderBy(s => s.VersionNumber),
            .. RepeatableOrder.Sort(scripts.Where(s => s.Kind == MigrationKind.Repeatable)),
        ];
    }

    /// <summary>The folder a script sits in under the migrations folder, "" at its top.</summary>
    private static string LayerOf(string directory, string file) =>
        Path.GetRelativePath(directory, Path.GetDirectoryName(file)!) is var folder && folder != "." ? folder.Replace('\\', '/') : "";

    /// <summary>
    /// Replaces <c>${name}</c> with its value; an undefined name is an error naming file and line. The syntax leaves
    /// PostgreSQL's own <c>$1</c> and <c>$tag$</c> alone (DbUp's <c>$name$</c> would break function bodies).
    /// A variable may take arguments, <c>${name(a, b)}</c>: its value is then a template whose <c>{0}</c>, <c>{1}</c>
    /// are replaced by them (how one expression differs in shape between dialects, e.g. an ordered list aggregate).
    /// </summary>
    public static string ResolveVariables(string text, string fileName, IReadOnlyDictionary<string, string> variables) =>
        VariablePattern().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            var line = text.AsSpan(0, match.Index).Count('\n') + 1;
            if (!variables.TryGetValue(name, out var value))
            {
                throw new WarehouseException($"{fileName}:{line}: undefined variable ${{{name}}}");
            }
            if (!match.Groups[2].Success)
            {
                return value;
            }
            var arguments = match.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries);
            var expected = TemplateArgumentCount(value);
            if (arguments.Length != expected || arguments.Any(a => a.Length == 0))
            {
                throw new WarehouseException($"{fileName}:{line}: ${{{name}(...)}} takes {expected} argument(s), got '{match.Groups[2].Value}'");
            }
            for (var i = 0; i < arguments.Length; i++)
            {
                value = value.Replace($"{{{i}}}", arguments[i], StringComparison.Ordinal);
            }
            return value;
        });

    private static int TemplateArgumentCount(string template)
    {
        var count = 0;
        while (template.Contains($"{{{count}}}", StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    // ${name} or ${name(argument, ...)}: arguments are plain SQL expressions without parentheses or braces.
    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\(([^(){}]*)\))?\}")]
    private static partial Regex VariablePattern();
}

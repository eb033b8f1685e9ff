using System.Text.RegularExpressions;
using Warehouse.Core.Migrations;
using Warehouse.Core.Portability;

namespace Warehouse.Core.Checks;

/// <summary>
/// Reads the data tests a model declares where its SQL is: a comment block at the end of its repeatable migration,
/// for the relation the file is named after (<c>R__40_marts_campaign_performance.sql</c>: marts.campaign_performance).
/// <code>
/// -- tests:
/// --   unique: source, session_date
/// --   not_null: source, session_date, sessions
/// --   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
/// --   relationships: session_id -> core.sessions(session_id)
/// --   expression: median_duration_seconds >= 0
/// </code>
/// One test a line. A line that is not a test is an error naming its file and line, so a typo never silently drops a test.
/// </summary>
public static partial class DataTestDeclarations
{
    public const string BlockStart = "-- tests:";

    /// <summary>Every test declared in the migrations the target runs, in file and line order.</summary>
    public static IReadOnlyList<DataTest> Load(string migrationsDirectory, string target = "postgres") =>
        [.. MigrationSource.Load(migrationsDirectory, target)
            .Where(s => s.Kind == MigrationKind.Repeatable)
            .OrderBy(s => s.FileName, StringComparer.Ordinal)
            .SelectMany(s => Parse(s.Text, s.FileName))];

    /// <summary>The tests declared in one script; a malformed declaration throws naming <c>FILE:LINE</c>.</summary>
    public static IReadOnlyList<DataTest> Parse(string text, string fileName)
    {
        var lines = MigrationScript.Normalise(text).Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == BlockStart);
        if (start < 0)
        {
            return [];
        }
        if (Array.FindIndex(lines, start + 1, l => l.Trim() == BlockStart) is var again and >= 0)
        {
            throw Malformed(fileName, again + 1, "a second '-- tests:' block; declare every test of the file in one");
        }
        if (RelationFileName().Match(fileName) is not { Success: true } named)
        {
            throw Malformed(fileName, start + 1, "tests are declared in a repeatable named R__NN_<schema>_<name>.sql, " +
                "which names the relation they test");
        }
        var relation = $"{named.Groups["schema"].Value}.{named.Groups["name"].Value}";
        var tests = new List<DataTest>();
        // The block is the comment lines after its start; an empty comment line is skipped, anything else ends it.
        for (var i = start + 1; i < lines.Length && lines[i].TrimStart().StartsWith("--", StringComparison.Ordinal); i++)
        {
            var body = lines[i].TrimStart()[2..].Trim();
            if (body.Length > 0)
            {
                tests.Add(ParseTest(relation, body, fileName, i + 1));
            }
        }
        if (tests.Count == 0)
        {
            throw Malformed(fileName, start + 1, "a '-- tests:' block without tests (expected lines such as '--   unique: id')");
        }
        return tests;
    }

    private static DataTest ParseTest(string relation, string body, string fileName, int line)
    {
        if (TestLine().Match(body) is not { Success: true } m)
        {
            throw Malformed(fileName, line, $"'{body}' is not a test (expected KIND: ARGUMENTS, KIND one of {Kinds})");
        }
        var args = m.Groups["args"].Value.Trim();
        DataTest Test(DataTestKind kind, IReadOnlyList<string> columns, IReadOnlyList<string>? values = null,
            string? parent = null, IReadOnlyList<string>? parentColumns = null, string? condition = null) =>
            new(relation, kind, columns, values ?? [], parent, parentColumns ?? [], condition, body, fileName, line);

        switch (m.Groups["kind"].Value)
        {
            case "unique":
                return Test(DataTestKind.Unique, Columns(args, fileName, line, "unique: COLUMN, ..."));
            case "not_null":
                return Test(DataTestKind.NotNull, Columns(args, fileName, line, "not_null: COLUMN, ..."));
            case "accepted_values":
                if (AcceptedValuesArgs().Match(args) is not { Success: true } values)
                {
                    throw Malformed(fileName, line, $"'{args}': expected accepted_values: COLUMN in (VALUE, ...)");
                }
                var list = values.Groups["values"].Value.Split(',').Select(v => v.Trim()).Select(Unquote).ToList();
                if (list.Any(v => v.Length == 0))
                {
                    throw Malformed(fileName, line, $"'{args}': an empty value in the list of accepted values");
                }
                return Test(DataTestKind.AcceptedValues, [values.Groups["column"].Value], list);
            case "relationships":
                if (RelationshipsArgs().Match(args) is not { Success: true } r)
                {
                    throw Malformed(fileName, line, $"'{args}': expected relationships: COLUMN, ... -> SCHEMA.TABLE(COLUMN, ...)");
                }
                var child = Columns(r.Groups["columns"].Value, fileName, line, "relationships: COLUMN, ... -> SCHEMA.TABLE(COLUMN, ...)");
                var parentColumns = Columns(r.Groups["parent_columns"].Value, fileName, line, "relationships: COLUMN, ... -> SCHEMA.TABLE(COLUMN, ...)");
                if (child.Count != parentColumns.Count)
                {
                    throw Malformed(fileName, line, $"'{args}': {child.Count} column(s) on the left, {parentColumns.Count} in the parent");
                }
                return Test(DataTestKind.Relationships, child, parent: r.Groups["parent"].Value, parentColumns: parentColumns);
            case "expression":
                if (args.Contains(';', StringComparison.Ordinal))
                {
                    throw Malformed(fileName, line, $"'{args}': an expression is one SQL condition, without ';'");
                }
                var test = Test(DataTestKind.Expression, [], condition: args);
                // The condition is written by hand and runs on Redshift too: the migrations' portability rules apply.
                if (PortabilityLint.Lint(test.FailuresSql, fileName).FirstOrDefault() is { } violation)
                {
                    throw Malformed(fileName, line, $"'{args}' is not portable: {violation.RuleId}: {violation.Message}");
                }
                return test;
            default:
                throw Malformed(fileName, line, $"unknown test '{m.Groups["kind"].Value}' (expected one of {Kinds})");
        }
    }

    private const string Kinds = "unique, not_null, accepted_values, relationships, expression";

    private static List<string> Columns(string text, string fileName, int line, string expected)
    {
        var columns = text.Split(',').Select(c => c.Trim()).ToList();
        if (columns.FirstOrDefault(c => !Identifier().IsMatch(c)) is { } bad)
        {
            throw Malformed(fileName, line, $"'{bad}' is not a column name (lower case, digits, _); expected {expected}");
        }
        return columns;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '\'' && value[^1] == '\'' ? value[1..^1].Replace("''", "'", StringComparison.Ordinal) : value;

    private static WarehouseException Malformed(string fileName, int line, string message) =>
        new($"{fileName}:{line}: malformed test declaration: {message}");

    [GeneratedRegex(@"^R__\d+_(?<schema>[a-z]+)_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex RelationFileName();

    [GeneratedRegex(@"^(?<kind>[a-z_]+)\s*:(?<args>.*\S.*)$")]
    private static partial Regex TestLine();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(?<column>[a-z_][a-z0-9_]*)\s+in\s*\((?<values>.*)\)$")]
    private static partial Regex AcceptedValuesArgs();

    [GeneratedRegex(@"^(?<columns>[^>]+?)\s*->\s*(?<parent>[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s*\((?<parent_columns>[^)]*)\)$")]
    private static partial Regex RelationshipsArgs();
}

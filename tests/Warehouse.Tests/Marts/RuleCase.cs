using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using Warehouse.Core.Marts;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Marts;

/// <summary>
/// A rule test kept as data (tests/sql/README.md): the folder <c>&lt;model&gt;/&lt;behaviour&gt;/</c> holds one CSV per staging
/// table it fills (<c>staging.http_log.csv</c>), an optional <c>config</c>, and <c>expect.csv</c>: the rows the model
/// must hold in the columns it names. The rows are loaded into a freshly migrated database, refreshed as the product
/// refreshes, and compared with expect.csv as a multiset. Nothing here knows any model: the folder name is the relation.
/// </summary>
internal static partial class RuleCase
{
    /// <summary>Where the discovered cases live.</summary>
    public static string Root { get; } = Path.Combine(TestDatabase.RepoRoot, "tests", "sql");

    /// <summary>Every case folder under <paramref name="root"/> (a folder holding expect.csv), as a path relative to it.</summary>
    public static IEnumerable<string> Discover(string root) =>
        Directory.GetFiles(root, "expect.csv", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    /// <summary>A case of a mart (its folder under <c>marts.*</c>) rather than of a core model.</summary>
    public static bool IsMart(string relativeFolder) => relativeFolder.StartsWith("marts.", StringComparison.Ordinal);

    /// <summary>
    /// How the cases refresh: on one job in one bucket, as on a one-core machine; that costs less than
    /// splitting a handful of rows into buckets, and the rules are the same on every split (RuleCaseOnBucketsTests).
    /// </summary>
    public static RefreshOptions OneJob { get; } = new() { Jobs = 1, Buckets = 1 };

    /// <summary>
    /// Runs one case, refreshing with <paramref name="refresh"/> (its session gaps come from the case's config); returns
    /// null when the model holds exactly the expected rows, else a report of the difference.
    /// </summary>
    public static async Task<string?> RunAsync(string root, string relativeFolder, RefreshOptions refresh)
    {
        var folder = Path.Combine(root, relativeFolder);
        var model = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(folder)))!;
        Require(Relation().IsMatch(model), $"the folder above a case names the model as schema.name, got '{model}'");
        var connectionString = await NextDatabaseAsync();
        try
        {
            return await RunAsync(connectionString, folder, model, refresh);
        }
        finally
        {
            // The case is over: its idle connections would only take the server's invalidation messages from later cases.
            NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        }
    }

    private static async Task<string?> RunAsync(string connectionString, string folder, string model, RefreshOptions refresh)
    {
        await LoadAndRefreshAsync(connectionString, folder, refresh with { SessionGaps = SessionGaps(folder) });

        var expect = CsvText.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "expect.csv")));
        Require(expect.Count > 0, "expect.csv needs a header line naming the model's columns");
        var columns = expect[0].Select(c => c.Trim()).ToArray();
        Require(columns.All(Identifier().IsMatch), $"expect.csv's header must name columns, got '{string.Join(",", columns)}'");
        var (actual, types) = await ReadAsync(connectionString, $"select {string.Join(", ", columns.Select(c => $"\"{c}\""))} from {model}");
        var expected = expect.Skip(1).Select((row, i) =>
        {
            Require(row.Length == columns.Length, $"expect.csv line {i + 2} has {row.Length} fields, the header {columns.Length}");
            return CsvText.Line(row.Select((cell, c) => Normalise(cell, types[c])));
        }).ToList();
        return Difference(model, columns, expected, actual);
    }

    private static Task<string>? _nextDatabase;

    /// <summary>
    /// A freshly migrated database (a copy of the migrated template); the copy for the next case is made while this case
    /// runs, so the cases do not wait for it.
    /// </summary>
    private static Task<string> NextDatabaseAsync()
    {
        var database = Interlocked.Exchange(ref _nextDatabase, null) ?? TestDatabase.CreateMigratedAsync("rule_case");
        _nextDatabase = database.ContinueWith(_ => TestDatabase.CreateMigratedAsync("rule_case"), TaskScheduler.Default).Unwrap();
        return database;
    }

    /// <summary>
    /// The rows go into staging as the loader would put them. A file with a load_id column arrives in batches: rows of
    /// no load id first, then each load in ascending order, each recorded in the load manifest and followed by a refresh,
    /// as `warehouse run` refreshes after each load; without one, everything is loaded and refreshed once.
    /// </summary>
    private static async Task LoadAndRefreshAsync(string connectionString, string folder, RefreshOptions options)
    {
        var files = Directory.GetFiles(folder, "*.csv").Where(f => Path.GetFileName(f) != "expect.csv").Order(StringComparer.Ordinal)
            .Select(StagingFile.Read).ToList();
        var loads = files.SelectMany(f => f.Rows.Select(r => r.LoadId)).OfType<long>().Distinct().Order().ToList();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var file in files)
        {
            await file.InsertAsync(connection, load: null);
        }
        if (loads.Count == 0)
        {
            await new Refresher(connectionString).RefreshAsync(options);
            return;
        }
        foreach (var load in loads)
        {
            foreach (var file in files.Where(f => f.Rows.Any(r => r.LoadId == load)))
            {
                await file.InsertAsync(connection, load);
            }
            await new Refresher(connectionString).RefreshAsync(options);
        }
    }

    /// <summary>The optional <c>config</c> file: lines <c>session-gap SOURCE=SECONDS</c>, as refresh's --session-gap; # starts a comment.</summary>
    private static List<(string Source, int Seconds)> SessionGaps(string folder)
    {
        var path = Path.Combine(folder, "config");
        var gaps = new List<(string Source, int Seconds)>();
        foreach (var line in File.Exists(path) ? File.ReadAllLines(path) : [])
        {
            var setting = line.Split('#', 2)[0].Trim();
            if (setting.Length == 0)
            {
                continue;
            }
            var parts = setting.Split(' ', 2, StringSplitOptions.TrimEntries);
            Require(parts is ["session-gap", _], $"config: expected 'session-gap SOURCE=SECONDS', got '{setting}'");
            gaps.Add(Warehouse.Core.Refresh.SessionGaps.Parse(parts[1]));
        }
        return gaps;
    }

    private static async Task<(List<string> Rows, Type[] Types)> ReadAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            rows.Add(CsvText.Line(values.Select(MartValues.Format)));
        }
        return (rows, types);
    }

    /// <summary>
    /// A hand-written cell in the text form of the model's value (<see cref="MartValues.Format"/>), read by the column's
    /// type: "3" in a numeric column is 3.000000, a timestamp with any offset is its UTC instant, "t" is true. An empty
    /// cell is null. A cell that does not parse stays as written, and so shows up in the difference.
    /// </summary>
    internal static string Normalise(string cell, Type type)
    {
        var text = cell.Trim();
        if (text.Length == 0)
        {
            return "";
        }
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) =>
                decimal.TryParse(text, NumberStyles.Float, invariant, out var d) ? MartValues.Format(d) : text,
            _ when type == typeof(long) || type == typeof(int) || type == typeof(short) =>
                long.TryParse(text, NumberStyles.Integer, invariant, out var n) ? MartValues.Format(n) : text,
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) =>
                DateTimeOffset.TryParse(text, invariant, DateTimeStyles.AssumeUniversal, out var at) ? MartValues.Format(at) : text,
            _ when type == typeof(DateOnly) => DateOnly.TryParse(text, invariant, out var day) ? MartValues.Format(day) : text,
            _ when type == typeof(bool) => text.ToLowerInvariant() switch
            {
                "true" or "t" => "true",
                "false" or "f" => "false",
                _ => text,
            },
            _ when type.IsArray => MartValues.Normalise(text),
            _ => cell,
        };
    }

    /// <summary>Null when both are the same multiset of rows; else the rows each side has that the other lacks.</summary>
    internal static string? Difference(string model, IReadOnlyList<string> columns, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = MultisetMinus(expected, actual);
        var unexpected = MultisetMinus(actual, expected);
        if (missing.Count == 0 && unexpected.Count == 0)
        {
            return null;
        }
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{model}: {expected.Count} rows expected, {actual.Count} found; columns {string.Join(",", columns)}");
        report.AppendLine(CultureInfo.InvariantCulture, $"missing (in expect.csv, not in {model}): {missing.Count}");
        missing.ForEach(r => report.AppendLine("  " + r));
        report.AppendLine(CultureInfo.InvariantCulture, $"unexpected (in {model}, not in expect.csv): {unexpected.Count}");
        unexpected.ForEach(r => report.AppendLine("  " + r));
        return report.ToString();
    }

    private static List<string> MultisetMinus(IEnumerable<string> from, IEnumerable<string> take)
    {
        var left = from.ToList();
        foreach (var row in take)
        {
            left.Remove(row);
        }
        left.Sort(StringComparer.Ordinal);
        return left;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException(message);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*$")]
    private static partial Regex Relation();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    internal static partial Regex Identifier();

    /// <summary>One input CSV: its header names staging columns; an empty field is null.</summary>
    private sealed record StagingFile(string Name, string Table, string[] Columns, List<StagingRow> Rows)
    {
        public static StagingFile Read(string path)
        {
            var name = Path.GetFileName(path);
            var table = name[..^".csv".Length];
            Require(Relation().IsMatch(table) && table.StartsWith("staging.", StringComparison.Ordinal),
                $"{name}: input files are named after a staging table, e.g. staging.http_log.csv");
            var records = CsvText.Parse(File.ReadAllText(path));
            Require(records.Count > 0, $"{name}: needs a header line naming the table's columns");
            var columns = records[0].Select(c => c.Trim()).ToArray();
            Require(columns.All(Identifier().IsMatch), $"{name}: the header must name columns, got '{string.Join(",", columns)}'");
            var loadColumn = Array.IndexOf(columns, "load_id");
            var rows = records.Skip(1).Select((fields, i) =>
            {
                Require(fields.Length == columns.Length, $"{name} line {i + 2} has {fields.Length} fields, the header {columns.Length}");
                long? load = loadColumn >= 0 && fields[loadColumn].Trim().Length > 0
                    ? long.Parse(fields[loadColumn], CultureInfo.InvariantCulture)
                    : null;
                return new StagingRow(i + 1, fields, load);
            }).ToList();
            return new StagingFile(name, table, columns, rows);
        }

        /// <summary>
        /// Inserts the rows of one load (null: those of none). Left out of the header, source_file is this file's name and
        /// source_line the row's number (lines continue across loads, as in a file that grows). A load is recorded in
        /// staging.loaded_files as the loader records it; a load_id column the table lacks (the mapping) only says when.
        /// </summary>
        public async Task InsertAsync(NpgsqlConnection connection, long? load)
        {
            var rows = Rows.Where(r => r.LoadId == load).ToList();
            if (rows.Count == 0)
            {
                return;
            }
            var tableColumns = await TableColumnsAsync(connection);
            Require(tableColumns.Count > 0, $"{Name}: no table {Table}");
            var unknown = Columns.Except(tableColumns).Where(c => c != "load_id").ToList();
            Require(unknown.Count == 0, $"{Name}: {Table} has no column {string.Join(", ", unknown)}");
            var given = Columns.Select((c, i) => (Column: c, Index: i)).Where(c => tableColumns.Contains(c.Column)).ToList();
            var fileColumn = !Columns.Contains("source_file") && tableColumns.Contains("source_file");
            var lineColumn = !Columns.Contains("source_line") && tableColumns.Contains("source_line");
            var names = given.Select(c => c.Column).Concat(fileColumn ? ["source_file"] : []).Concat(lineColumn ? ["source_line"] : []);

            await using var command = new NpgsqlCommand { Connection = connection };
            var values = new List<string>();
            foreach (var row in rows)
            {
                var cells = given.Select(c => row.Fields[c.Index].Trim().Length == 0 ? null : row.Fields[c.Index])
                    .Concat(fileColumn ? [Name] : []).Concat(lineColumn ? [row.Number.ToString(CultureInfo.InvariantCulture)] : []);
                // untyped parameters: the server reads each text as its column's type, as it reads a CSV's
                values.Add("(" + string.Join(", ", cells.Select(cell =>
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = (object?)cell ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown });
                    return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
                })) + ")");
            }
            command.CommandText = $"insert into {Table} ({string.Join(", ", names)}) values {string.Join(",\n", values)}";
            await command.ExecuteNonQueryAsync();
            if (load is { } id)
            {
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Name}#{id}")));
                await using var manifest = new NpgsqlCommand($"""
                    insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id)
                    values ('{Name}', '{hash}', '{Table["staging.".Length..]}', {rows.Count}, now(), {id})
                    """, connection);
                await manifest.ExecuteNonQueryAsync();
            }
        }

        private async Task<List<string>> TableColumnsAsync(NpgsqlConnection connection)
        {
            await using var command = new NpgsqlCommand(
                "select column_name from information_schema.columns where table_schema = 'staging' and table_name = @table", connection);
            command.Parameters.AddWithValue("table", Table["staging.".Length..]);
            var columns = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }
            return columns;
        }
    }

    /// <summary>A data row of an input CSV: its 1-based number among the data rows, its fields, its load (null: none).</summary>
    private sealed record StagingRow(int Number, string[] Fields, long? LoadId);
}

namespace Warehouse.Core.Marts;

/// <summary>The outcome of comparing one mart with its expected CSV.</summary>
public sealed record MartComparison(string Mart, int ExpectedRows, int ActualRows,
    IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, string? Problem)
{
    public bool Matches => Problem is null && Missing.Count == 0 && Unexpected.Count == 0;
}

/// <summary>
/// Compares marts with <c>DIR/&lt;mart&gt;.csv</c> both ways (expected minus actual and actual minus expected, as
/// multisets), after putting both sides in the text form of <see cref="MartValues"/>.
/// </summary>
public sealed class MartVerifier(string connectionString)
{
    public async Task<IReadOnlyList<MartComparison>> VerifyAsync(string expectedDirectory, CancellationToken ct = default)
    {
        if (!Directory.Exists(expectedDirectory))
        {
            throw new WarehouseException($"expected folder not found: {expectedDirectory}");
        }
        if (!MartCatalog.Names.Any(m => File.Exists(Path.Combine(expectedDirectory, m + ".csv"))))
        {
            throw new WarehouseException($"no expected mart files in {expectedDirectory} (expected {string.Join(", ", MartCatalog.Names.Select(m => m + ".csv"))})");
        }
        var reader = new MartReader(connectionString);
        var results = new List<MartComparison>();
        foreach (var mart in MartCatalog.Names)
        {
            var fixture = Path.Combine(expectedDirectory, mart + ".csv");
            // A mart without its fixture fails: a verification that silently checks fewer marts would pass on anything.
            if (!File.Exists(fixture))
            {
                results.Add(new MartComparison(mart, 0, 0, [], [], $"no expected file {fixture}"));
                continue;
            }
            var actual = await reader.ReadAsync(mart, ct: ct);
            results.Add(Compare(actual, fixture));
        }
        return results;
    }

    /// <summary>
    /// Files in the expected folder that are not a mart's fixture (<c>&lt;mart&gt;.csv</c>): they are not compared, so the
    /// caller warns about them (a misspelt fixture name also shows up as its mart's missing file, which fails).
    /// </summary>
    public static IReadOnlyList<string> UnknownFiles(string expectedDirectory) =>
        Directory.Exists(expectedDirectory)
            ? Directory.GetFiles(expectedDirectory)
                .Where(f => !MartCatalog.Names.Any(m => Path.GetFileName(f) == m + ".csv"))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public static MartComparison Compare(MartTable actual, string expectedCsv)
    {
        var (header, expectedRows) = ReadCsv(expectedCsv);
        var actualRows = actual.Rows.Select(r => r.Select(MartValues.Format).ToArray()).ToList();
        if (!header.SequenceEqual(actual.Columns))
        {
            return new MartComparison(actual.Name, expectedRows.Count, actualRows.Count, [], [],
                $"columns differ: expected [{string.Join(", ", header)}], mart has [{string.Join(", ", actual.Columns)}]");
        }
        var expected = expectedRows.Select(r => Line(r.Select(MartValues.Normalise))).ToList();
        var got = actualRows.Select(Line).ToList();
        return new MartComparison(actual.Name, expected.Count, got.Count, MultisetMinus(expected, got), MultisetMinus(got, expected), null);
    }

    private static string Line(IEnumerable<string> values) => string.Join(" | ", values);

    private static List<string> MultisetMinus(List<string> left, List<string> right)
    {
        var remaining = right.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<string>();
        foreach (var item in left.Order(StringComparer.Ordinal))
        {
            if (remaining.TryGetValue(item, out var n) && n > 0)
            {
                remaining[item] = n - 1;
            }
            else
            {
                result.Add(item);
            }
        }
        return result;
    }

    private static (string[] Header, List<string[]> Rows) ReadCsv(string path)
    {
        var records = CsvText.Parse(File.ReadAllText(path).TrimStart('\uFEFF'));
        if (records.Count == 0)
        {
            throw new WarehouseException($"{path}: empty file (expected a header of mart columns)");
        }
        var header = records[0];
        var bad = records.Skip(1).Select((r, i) => (r, line: i + 2)).FirstOrDefault(x => x.r.Length != header.Length);
        if (bad.r is not null)
        {
            throw new WarehouseException($"{path}: record {bad.line} has {bad.r.Length} fields, the header has {header.Length}");
        }
        return (header, records.Skip(1).ToList());
    }
}

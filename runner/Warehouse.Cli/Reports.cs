using System.Globalization;
using Warehouse.Core.Checks;
using Warehouse.Core.Load;
using Warehouse.Core.Marts;
using Warehouse.Core.Migrations;
using Warehouse.Core.Refresh;

namespace Warehouse.Cli;

/// <summary>The lines that more than one command prints, written once so every command says the same thing.</summary>
internal static class Reports
{
    /// <summary>One line per refresh (refresh, replay).</summary>
    public static string DescribeRefresh(RefreshResult r) =>
        (r.Full ? "full refresh" : "incremental refresh") +
        (r.RebuiltSources.Count > 0 ? $" (rebuilt {string.Join(", ", r.RebuiltSources)})" : "") +
        $": {r.EventsWritten:N0} events and {r.SessionsWritten:N0} sessions written" +
        (r.Full ? "" : $", {r.UsersReopened:N0} users re-sessionized") +
        $", loads through #{r.LoadedThrough}" +
        (r.Full && r.Buckets > 1 ? $" ({r.Buckets} buckets of users on {r.Jobs} job{(r.Jobs == 1 ? "" : "s")})" : "");

    /// <summary>One line per loaded file (load, run).</summary>
    public static string DescribeLoad(LoadResult loaded) => loaded.AlreadyLoaded
        ? $"{loaded.FileName}: already loaded (same content), nothing to do"
        : loaded.Source == StagingLoader.MappingSource
            ? $"{loaded.FileName}: {loaded.Rows:N0} pairs loaded into {loaded.Source}, {loaded.DuplicateLines:N0} duplicate lines dropped, in {loaded.Elapsed.TotalSeconds:F1} s"
            : $"{loaded.FileName}: {loaded.Rows:N0} rows into {loaded.Source} in {loaded.Elapsed.TotalSeconds:F1} s";

    /// <summary>One warning line on stderr per file of the expected folder that is not a mart fixture (not compared).</summary>
    public static void WarnAboutUnknownFiles(string expectedDirectory)
    {
        foreach (var file in MartVerifier.UnknownFiles(expectedDirectory))
        {
            Console.Error.WriteLine($"warning: {file} is not a mart fixture (expected {string.Join(", ", MartCatalog.Names.Select(m => m + ".csv"))}); not compared");
        }
    }

    /// <summary>Prints one line per mart and the first differing rows (verify, run); true when everything matched.</summary>
    public static bool WriteVerification(IReadOnlyList<MartComparison> comparisons, TextWriter output, int maxRows = 10)
    {
        foreach (var c in comparisons)
        {
            if (c.Matches)
            {
                output.WriteLine($"ok    {c.Mart}: {c.ActualRows} rows match");
                continue;
            }
            output.WriteLine($"FAIL  {c.Mart}: " + (c.Problem ?? $"{c.Missing.Count} expected row(s) missing, {c.Unexpected.Count} unexpected ({c.ExpectedRows} expected, {c.ActualRows} in the mart)"));
            foreach (var row in c.Missing.Take(maxRows))
            {
                output.WriteLine($"  - expected: {row}");
            }
            foreach (var row in c.Unexpected.Take(maxRows))
            {
                output.WriteLine($"  + actual:   {row}");
            }
        }
        return comparisons.All(c => c.Matches);
    }

    /// <summary>One line per migration script with its state (info, validate).</summary>
    public static void WriteMigrationStatuses(IReadOnlyList<MigrationStatus> statuses)
    {
        foreach (var s in statuses)
        {
            var when = s.InstalledOn is { } at ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";
            var ms = s.ExecutionMs is { } e ? $"{e} ms" : "";
            Console.WriteLine($"{s.State.ToString().ToLowerInvariant(),-9} {s.FileName,-48} {when,-20} {ms}".TrimEnd());
        }
    }

    /// <summary>
    /// One line per data test, under a failure its offending rows as column=value pairs, then the totals.
    /// <paramref name="failuresOnly"/> (for run, whose output is long already) leaves out the passing tests' lines.
    /// </summary>
    public static void WriteDataTests(IReadOnlyList<DataTestResult> results, TextWriter output, bool failuresOnly = false)
    {
        foreach (var r in results.Where(r => !failuresOnly || !r.Passed))
        {
            var outcome = r.Error is { } error
                ? $"error: {error} ({r.Test.Location})"
                : r.Passed ? "0 failing rows" : $"{r.FailingRows:N0} failing row(s) ({r.Test.Location})";
            output.WriteLine($"{(r.Passed ? "ok" : "FAIL"),-5} {r.Test.Relation} {r.Test.Declaration}: {outcome}");
            foreach (var row in r.Sample)
            {
                output.WriteLine("        " + string.Join(" | ", r.Columns.Zip(row, (c, v) => $"{c}={(v is null ? "null" : MartValues.Format(v))}")));
            }
        }
        var failed = results.Count(r => !r.Passed);
        output.WriteLine($"check: {results.Count} data tests, {results.Count - failed} passed, {failed} failed");
    }
}

using System.CommandLine;
using Warehouse.Core.Checks;
using Warehouse.Core.Marts;
using Warehouse.Core.Migrations;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse check</c>: runs the data tests each model declares in its migration (<c>-- tests:</c>).</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var command = new Command("check",
            "Run the data tests the marts declare in their SQL (unique, not_null, accepted_values, relationships, expression); " +
            "lists each failure with up to 5 offending rows, exit 3 when one fails");
        command.SetAction(async (result, ct) =>
            await RunAsync(GlobalOptions.ConnectionString(result), Migrations.Options(result), Console.Out, ct)
                ? ExitCodes.Ok
                : ExitCodes.CheckFailed);
        return command;
    }

    /// <summary>
    /// Runs every declared test and prints the outcome; true when all pass. <paramref name="failuresOnly"/> (for run,
    /// whose output is long already) leaves out the passing tests' lines but keeps the summary.
    /// </summary>
    public static async Task<bool> RunAsync(string connectionString, MigrationOptions migrations, TextWriter output, CancellationToken ct,
        bool failuresOnly = false)
    {
        var results = await new DataTestRunner(connectionString).RunDeclaredAsync(migrations, ct);
        Report(results, output, failuresOnly);
        return results.All(r => r.Passed);
    }

    /// <summary>One line per test; under a failure its offending rows as column=value pairs.</summary>
    public static void Report(IReadOnlyList<DataTestResult> results, TextWriter output, bool failuresOnly = false)
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

using System.CommandLine;
using Warehouse.Core.Marts;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse verify --expected DIR</c>: each mart against DIR/&lt;mart&gt;.csv.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var expected = new Option<string>("--expected") { Description = "Folder with <mart>.csv files", Required = true };
        var command = new Command("verify", "Compare the marts with expected CSV fixtures; non-zero exit on any difference") { expected };
        command.SetAction(async (result, ct) =>
        {
            var directory = result.GetValue(expected)!;
            var comparisons = await new MartVerifier(GlobalOptions.ConnectionString(result)).VerifyAsync(directory, ct);
            WarnAboutUnknownFiles(directory);
            return Report(comparisons, Console.Out) ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    /// <summary>One warning line on stderr per file of the expected folder that is not a mart fixture (not compared).</summary>
    public static void WarnAboutUnknownFiles(string expectedDirectory)
    {
        foreach (var file in MartVerifier.UnknownFiles(expectedDirectory))
        {
            Console.Error.WriteLine($"warning: {file} is not a mart fixture (expected {string.Join(", ", MartCatalog.Names.Select(m => m + ".csv"))}); not compared");
        }
    }

    /// <summary>Prints one line per mart and the first differing rows; true when everything matched.</summary>
    public static bool Report(IReadOnlyList<MartComparison> comparisons, TextWriter output, int maxRows = 10)
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
}

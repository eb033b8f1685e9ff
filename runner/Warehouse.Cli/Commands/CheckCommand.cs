using System.CommandLine;
using Warehouse.Core.Checks;

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
        {
            var results = await new DataTestRunner(GlobalOptions.ConnectionString(result)).RunDeclaredAsync(Migrations.Options(result), ct);
            Reports.WriteDataTests(results, Console.Out);
            return results.All(r => r.Passed) ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }
}

using System.CommandLine;
using Warehouse.Core.Migrations;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse validate</c>: exits non-zero when the database and the migrations folder disagree.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Check the database matches the migrations folder (non-zero exit on any drift)");
        command.SetAction(async (result, ct) =>
        {
            var statuses = await Migrations.Runner(result).InfoAsync(ct);
            var drift = statuses.Where(s => s.State != MigrationState.Applied).ToList();
            if (drift.Count == 0)
            {
                Console.WriteLine($"valid: all {statuses.Count} scripts applied and unchanged");
                return ExitCodes.Ok;
            }
            Reports.WriteMigrationStatuses(drift);
            Console.Error.WriteLine($"error: {drift.Count} script(s) not in step with the database");
            return ExitCodes.CheckFailed;
        });
        return command;
    }
}

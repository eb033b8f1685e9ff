using System.CommandLine;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse info</c>: one line per script with its state.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "List every migration: applied, pending, changed, failed, outdated or missing");
        command.SetAction(async (result, ct) =>
        {
            var statuses = await Migrations.Runner(result).InfoAsync(ct);
            Reports.WriteMigrationStatuses(statuses);
            return ExitCodes.Ok;
        });
        return command;
    }
}

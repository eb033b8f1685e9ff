using System.CommandLine;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse run</c>: the main job. Brings the database up and migrates it; the pipeline follows.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Start the database, migrate, convert and load the input, build the marts, verify");
        command.SetAction(async (result, ct) =>
        {
            await Migrations.Runner(result).MigrateAsync(Console.Out, dryRun: false, ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}

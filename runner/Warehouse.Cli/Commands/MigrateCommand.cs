using System.CommandLine;
using Warehouse.Core.Migrations;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse migrate [--dry-run] [--allow-changed] [--out-of-order] [--baseline VERSION]</c>.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the scripts that would run; change nothing" };
        var allowChanged = new Option<bool>("--allow-changed") { Description = "Accept versioned scripts edited after they were applied" };
        var outOfOrder = new Option<bool>("--out-of-order") { Description = "Apply a new versioned script numbered below the newest applied one" };
        var baseline = new Option<string?>("--baseline")
        {
            Description = "The database holds the objects but no history: record scripts up to VERSION as applied without running them, then migrate the rest",
            HelpName = "VERSION",
        };
        var command = new Command("migrate", "Apply pending versioned scripts, then changed repeatable ones") { dryRun, allowChanged, outOfOrder, baseline };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(dryRun) && Migrations.IsOffline(result))
            {
                MigrationRunner.DryRunOffline(Migrations.Options(result), Console.Out);
                return ExitCodes.Ok;
            }
            var options = Migrations.Options(result, result.GetValue(allowChanged)) with
            {
                OutOfOrder = result.GetValue(outOfOrder),
                Baseline = result.GetValue(baseline),
            };
            await new MigrationRunner(GlobalOptions.ConnectionString(result), options).MigrateAsync(Console.Out, result.GetValue(dryRun), ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}

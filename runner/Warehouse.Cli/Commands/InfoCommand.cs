using System.CommandLine;
using System.Globalization;
using Warehouse.Core.Migrations;

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
            Print(statuses);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void Print(IReadOnlyList<MigrationStatus> statuses)
    {
        foreach (var s in statuses)
        {
            var when = s.InstalledOn is { } at ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";
            var ms = s.ExecutionMs is { } e ? $"{e} ms" : "";
            Console.WriteLine($"{s.State.ToString().ToLowerInvariant(),-9} {s.FileName,-48} {when,-20} {ms}".TrimEnd());
        }
    }
}

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
            Reports.WarnAboutUnknownFiles(directory);
            return Reports.WriteVerification(comparisons, Console.Out) ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }
}

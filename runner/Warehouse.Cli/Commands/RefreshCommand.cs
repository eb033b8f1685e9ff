using System.CommandLine;
using Warehouse.Core.Refresh;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse refresh [--session-gap SOURCE=SECONDS]...</c>.</summary>
internal static class RefreshCommand
{
    public static readonly Option<string[]> SessionGap = new("--session-gap")
    {
        Description = "Session threshold for a source, e.g. http_log=300 (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var command = new Command("refresh", "Bring sessions and marts up to date with what is in staging") { SessionGap };
        command.SetAction(async (result, ct) =>
        {
            await new Refresher(GlobalOptions.ConnectionString(result)).RefreshAsync(Gaps(result), ct);
            Console.WriteLine("refreshed");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static IReadOnlyList<(string, int)> Gaps(ParseResult result) =>
        (result.GetValue(SessionGap) ?? []).Select(SessionGaps.Parse).ToList();
}

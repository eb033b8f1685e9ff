using System.CommandLine;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Refresh;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse refresh [--full] [--session-gap SOURCE=SECONDS]...</c>.</summary>
internal static class RefreshCommand
{
    public static readonly Option<string[]> SessionGap = new("--session-gap")
    {
        Description = "Session threshold for a source, e.g. http_log=300 (repeatable); a changed value rebuilds that source",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var full = new Option<bool>("--full") { Description = "Rebuild sessions and marts from everything in staging (default: only what was loaded since the last refresh)" };
        var command = new Command("refresh", "Bring sessions and marts up to date with what is in staging") { SessionGap, full };
        command.SetAction(async (result, ct) =>
        {
            var progress = new ConsoleProgress();
            var options = new RefreshOptions
            {
                SessionGaps = Gaps(result),
                Full = result.GetValue(full),
                Progress = progress.Steps(RunPipeline.RefreshStage),
            };
            var refreshed = await new Refresher(GlobalOptions.ConnectionString(result)).RefreshAsync(options, ct);
            progress.Done(RunPipeline.RefreshStage);
            Console.WriteLine(Describe(refreshed));
            foreach (var (step, elapsed) in refreshed.Steps)
            {
                Console.WriteLine($"  {step,-28} {elapsed.TotalSeconds,8:F2} s");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Describe(RefreshResult r) =>
        (r.Full ? "full refresh" : "incremental refresh") +
        (r.RebuiltSources.Count > 0 ? $" (rebuilt {string.Join(", ", r.RebuiltSources)})" : "") +
        $": {r.EventsWritten:N0} events and {r.SessionsWritten:N0} sessions written" +
        (r.Full ? "" : $", {r.UsersReopened:N0} users re-sessionized") +
        $", loads through #{r.LoadedThrough}";

    public static IReadOnlyList<(string, int)> Gaps(ParseResult result) =>
        (result.GetValue(SessionGap) ?? []).Select(SessionGaps.Parse).ToList();
}

using System.CommandLine;
using Warehouse.Core;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Replay;

namespace Warehouse.Cli.Commands;

/// <summary>
/// <c>warehouse replay FILE --format clickstream-csv [--keep-timing | --speed N | --rate EVENTS_PER_S] [--batch-seconds S]</c>:
/// a raw file fed as a live stream in micro-batches; Ctrl-C stops, a new run continues where it stopped.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Raw file to feed (e.g. a clickstream CSV)" };
        var format = new Option<string>("--format", "-f") { Description = "Raw format of the file", DefaultValueFactory = _ => "clickstream-csv" };
        var keepTiming = new Option<bool>("--keep-timing") { Description = "Release events with the file's own delays, each clamped to 0-10 s (the default)" };
        var speed = new Option<double?>("--speed") { Description = "Like --keep-timing, N times faster" };
        var rate = new Option<double?>("--rate") { Description = "Release a fixed number of events per second instead" };
        var batchSeconds = new Option<double>("--batch-seconds") { Description = "Micro-batch interval: released lines are converted, loaded and refreshed this often", DefaultValueFactory = _ => 1.0 };
        var command = new Command("replay", "Feed a raw file into the warehouse as a live stream (convert, load, refresh in micro-batches)")
        {
            file, format, keepTiming, speed, rate, batchSeconds, SharedOptions.SessionGap,
        };
        command.SetAction(async (result, ct) =>
        {
            var chosen = (result.GetValue(keepTiming) ? 1 : 0) + (result.GetValue(speed) is null ? 0 : 1) + (result.GetValue(rate) is null ? 0 : 1);
            if (chosen > 1)
            {
                throw new WarehouseException("give at most one of --keep-timing, --speed and --rate");
            }
            var pacing = result.GetValue(speed) is { } s ? ReplayPacing.SpeedUp(s)
                : result.GetValue(rate) is { } r ? ReplayPacing.Rate(r)
                : ReplayPacing.KeepTiming;
            var seconds = result.GetValue(batchSeconds);
            if (!(seconds > 0 && seconds <= 3600))
            {
                throw new WarehouseException("--batch-seconds must be a positive number of seconds, at most 3600");
            }
            var options = new ReplayOptions
            {
                File = Path.GetFullPath(result.GetValue(file)!),
                Format = result.GetValue(format)!,
                Pacing = pacing,
                BatchInterval = TimeSpan.FromSeconds(seconds),
                WorkDirectory = GlobalOptions.WorkDirectory,
                SessionGaps = SharedOptions.Gaps(result),
            };
            var progress = new InlineProgress<ReplayBatch>(b => Console.WriteLine(
                $"lines {b.FirstLine:N0}-{b.LastLine:N0}: {b.Records:N0} events{(b.Rejected > 0 ? $", {b.Rejected:N0} rejected" : "")}; " +
                $"{Reports.DescribeRefresh(b.Refresh)}"));
            var summary = await new Replayer(GlobalOptions.ConnectionString(result)).ReplayAsync(options, progress, ct);
            Console.WriteLine(summary.Stopped
                ? $"stopped after line {summary.LinesDone:N0} ({summary.EventsLoaded:N0} events this run); run the same command again to continue"
                : summary.Batches == 0
                    ? $"nothing to replay: all {summary.LinesDone:N0} lines were fed before"
                    : $"replayed to line {summary.LinesDone:N0}: {summary.EventsLoaded:N0} events in {summary.Batches:N0} batches{(summary.Rejected > 0 ? $", {summary.Rejected:N0} rejected" : "")}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Refresh;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse refresh [--full] [--session-gap SOURCE=SECONDS]...</c>.</summary>
internal static class RefreshCommand
{
    public static Command Create()
    {
        var full = new Option<bool>("--full") { Description = "Rebuild sessions and marts from everything in staging (default: only what was loaded since the last refresh)" };
        var buckets = SharedOptions.InRange(new Option<int>("--buckets")
        {
            Description = $"Buckets of users a full refresh splits the work into, 1 to {RefreshOptions.MaxBuckets} (default: one per job)",
            DefaultValueFactory = _ => 0,
        }, 1, RefreshOptions.MaxBuckets);
        var command = new Command("refresh", "Bring sessions and marts up to date with what is in staging") { SharedOptions.SessionGap, SharedOptions.Jobs, buckets, full };
        command.SetAction(async (result, ct) =>
        {
            var progress = new ConsoleProgress();
            var options = new RefreshOptions
            {
                SessionGaps = SharedOptions.Gaps(result),
                Full = result.GetValue(full),
                Jobs = SharedOptions.JobsOf(result),
                Buckets = result.GetValue(buckets),
                Progress = progress.Steps(RunPipeline.RefreshStage),
            };
            var refreshed = await new Refresher(GlobalOptions.ConnectionString(result)).RefreshAsync(options, ct);
            progress.Done(RunPipeline.RefreshStage);
            Console.WriteLine(Reports.DescribeRefresh(refreshed));
            foreach (var (step, elapsed) in refreshed.Steps)
            {
                Console.WriteLine($"  {step,-28} {elapsed.TotalSeconds,8:F2} s");
            }
            foreach (var bucket in refreshed.BucketSteps.GroupBy(s => s.Bucket))
            {
                Console.WriteLine($"    bucket {bucket.Key}: " + string.Join(", ", bucket.Select(s => $"{s.Step} {s.Elapsed.TotalSeconds:F2} s")));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

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

    public static readonly Option<int> Jobs = InRange(new Option<int>("--jobs")
    {
        Description = $"Connections a full refresh builds buckets of users on at once, 1 to {RefreshOptions.MaxJobs} (default: the machine's cores; 1 builds them one after another)",
        DefaultValueFactory = _ => RefreshOptions.DefaultJobs,
    }, 1, RefreshOptions.MaxJobs);

    /// <summary>A value outside [min, max] is a wrong command line (exit 2), like a word where a number belongs.</summary>
    private static Option<int> InRange(Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            // a value that is not a number is reported by the parser itself; the default is always in range
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out var value) && (value < min || value > max))
            {
                result.AddError($"{option.Name} must be between {min} and {max}, got {value}");
            }
        });
        return option;
    }

    public static Command Create()
    {
        var full = new Option<bool>("--full") { Description = "Rebuild sessions and marts from everything in staging (default: only what was loaded since the last refresh)" };
        var buckets = InRange(new Option<int>("--buckets")
        {
            Description = $"Buckets of users a full refresh splits the work into, 1 to {RefreshOptions.MaxBuckets} (default: one per job)",
            DefaultValueFactory = _ => 0,
        }, 1, RefreshOptions.MaxBuckets);
        var command = new Command("refresh", "Bring sessions and marts up to date with what is in staging") { SessionGap, Jobs, buckets, full };
        command.SetAction(async (result, ct) =>
        {
            var progress = new ConsoleProgress();
            var options = new RefreshOptions
            {
                SessionGaps = Gaps(result),
                Full = result.GetValue(full),
                Jobs = JobsOf(result),
                Buckets = result.GetValue(buckets),
                Progress = progress.Steps(RunPipeline.RefreshStage),
            };
            var refreshed = await new Refresher(GlobalOptions.ConnectionString(result)).RefreshAsync(options, ct);
            progress.Done(RunPipeline.RefreshStage);
            Console.WriteLine(Describe(refreshed));
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

    public static string Describe(RefreshResult r) =>
        (r.Full ? "full refresh" : "incremental refresh") +
        (r.RebuiltSources.Count > 0 ? $" (rebuilt {string.Join(", ", r.RebuiltSources)})" : "") +
        $": {r.EventsWritten:N0} events and {r.SessionsWritten:N0} sessions written" +
        (r.Full ? "" : $", {r.UsersReopened:N0} users re-sessionized") +
        $", loads through #{r.LoadedThrough}" +
        (r.Full && r.Buckets > 1 ? $" ({r.Buckets} buckets of users on {r.Jobs} job{(r.Jobs == 1 ? "" : "s")})" : "");

    /// <summary>The <c>--jobs</c> value (checked by the parser).</summary>
    public static int JobsOf(ParseResult result) => result.GetValue(Jobs);

    public static IReadOnlyList<(string, int)> Gaps(ParseResult result) =>
        (result.GetValue(SessionGap) ?? []).Select(SessionGaps.Parse).ToList();
}

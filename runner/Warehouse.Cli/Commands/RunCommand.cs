using System.CommandLine;
using Warehouse.Core.Avro;
using Warehouse.Core.Checks;
using Warehouse.Core.Database;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Profile;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse run [--input DIR|URL|s3://bucket/prefix] [--expected DIR]</c>: the main job, end to end.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input")
        {
            Description = "Raw inputs: a local folder or file (.gz is decompressed while streaming), an http(s):// URL of one file, " +
                "or s3://bucket/prefix (every object under it, in key order) (default: seeds/sample)",
        };
        var expected = new Option<string?>("--expected") { Description = "Folder of expected mart CSVs (default: INPUT/expected when present)" };
        var profile = new Option<bool>("--profile") { Description = "Also profile every source after the refresh (as ./warehouse profile does)" };
        var command = new Command("run", "Start the database, migrate, convert and load the input, refresh the marts, verify")
        {
            input, expected, SharedOptions.SessionGap, SharedOptions.Jobs, profile, RemoteCli.S3Endpoint, SharedOptions.MaxRejectRate,
        };
        command.SetAction(async (result, ct) =>
        {
            var options = new RunOptions
            {
                InputDirectory = result.GetValue(input) is { } given && InputDiscovery.IsRemote(given)
                    ? given
                    : Path.GetFullPath(result.GetValue(input) ?? Path.Combine(GlobalOptions.ProjectRoot, "seeds", "sample")),
                ExpectedDirectory = result.GetValue(expected) is { } e ? Path.GetFullPath(e) : null,
                WorkDirectory = GlobalOptions.WorkDirectory,
                Migrations = Migrations.Options(result),
                SessionGaps = SharedOptions.Gaps(result),
                Jobs = SharedOptions.JobsOf(result),
                Profile = result.GetValue(profile),
                Codec = AvroCodec.Deflate,
                Remote = RemoteCli.Options(result),
                MaxRejectRate = result.GetValue(SharedOptions.MaxRejectRate),
            };
            // The bundled sample (no --input) goes into a database of its own in the embedded cluster, so its fixtures
            // verify whatever the user loaded into the default one; a named --database is used as given.
            var sample = result.GetValue(input) is null;
            var connection = GlobalOptions.ConnectionString(result, sample ? EmbeddedPostgres.SampleDatabaseName : EmbeddedPostgres.DatabaseName);
            if (sample && DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database)) is null)
            {
                Console.WriteLine($"the bundled sample, into database {EmbeddedPostgres.SampleDatabaseName} (run --input DIR loads into {EmbeddedPostgres.DatabaseName})");
            }
            var summary = await new RunPipeline(connection, Console.Out, new ConsoleProgress()).RunAsync(options, ct);
            Print(summary);
            if (summary.ExpectedDirectory is { } expectedDirectory)
            {
                Reports.WarnAboutUnknownFiles(expectedDirectory);
            }
            var verified = summary.Verification is null || Reports.WriteVerification(summary.Verification, Console.Out);
            // the data tests the marts declare, after the refresh and the fixtures: a failing one fails the run
            var checks = await new DataTestRunner(connection).RunDeclaredAsync(options.Migrations, ct);
            Reports.WriteDataTests(checks, Console.Out, failuresOnly: true);
            var checkedOk = checks.All(c => c.Passed);
            foreach (var refused in summary.OverRejectLimit)
            {
                await Console.Error.WriteLineAsync($"error: {RejectLimit.Describe(refused, options.MaxRejectRate)}");
            }
            return verified && checkedOk && summary.OverRejectLimit.Count == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static void Print(RunSummary s)
    {
        var o = Console.Out;
        foreach (var skipped in s.Skipped)
        {
            o.WriteLine($"skipped {skipped.Input} ({skipped.Reason})");
        }
        foreach (var c in s.Converted)
        {
            var rejects = c.Rejected > 0 ? $", {c.Rejected:N0} rejected (see {c.RejectsPath})" : ", 0 rejected";
            o.WriteLine($"converted {c.SourceFile} [{c.Format}]: {c.Lines:N0} lines -> {c.Records:N0} records{rejects}{(c.Blank > 0 ? $", {c.Blank:N0} blank" : "")}{(c.Reused ? " (unchanged since last run)" : "")}{(c.AfterLine is { } after ? $" (the lines after line {after:N0}, which an earlier run loaded)" : "")}");
        }
        foreach (var l in s.Loaded)
        {
            o.WriteLine(Reports.DescribeLoad(l));
        }
        foreach (var location in s.AlreadyLoadedRemote)
        {
            o.WriteLine($"{location}: already loaded (same version), not read again");
        }
        o.WriteLine();
        o.WriteLine($"{"source",-34} {"staging rows",14} {"sessions",10}");
        foreach (var (source, rows) in s.StagingRows)
        {
            o.WriteLine($"{source,-34} {rows,14:N0} {(s.Sessions.TryGetValue(source, out var n) ? n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : ""),10}");
        }
        o.WriteLine();
        o.WriteLine($"{"mart",-34} {"rows",10}");
        foreach (var (mart, rows) in s.MartRows)
        {
            o.WriteLine($"{"marts." + mart,-34} {rows,10:N0}");
        }
        o.WriteLine();
        if (s.Profile.Count > 0)
        {
            ProfileReport.Write(s.Profile, o);
            o.WriteLine();
        }
        o.WriteLine(string.Join("  ", s.Stages.Select(st => $"{st.Stage} {st.Elapsed.TotalSeconds:F1} s")));
    }
}

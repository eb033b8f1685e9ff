using System.CommandLine;
using System.Globalization;
using Warehouse.Core.Bench;
using Warehouse.Core.Database;
using Warehouse.Core.Generate;

namespace Warehouse.Cli.Commands;

/// <summary><c>warehouse bench [--events N]</c>: the whole pipeline at scale, timed per stage.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var events = new Option<long>("--events") { Description = "Events to generate (default 5,000,000)", DefaultValueFactory = _ => 5_000_000 };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed", DefaultValueFactory = _ => GenerateOptions.DefaultSeed };
        var sources = new Option<string>("--sources") { Description = $"Formats to generate, comma-separated, of {string.Join(", ", GenerateOptions.KnownSources)} (default http-log; combined: an Apache access log of --events lines)", DefaultValueFactory = _ => "http-log" };
        var keep = new Option<bool>("--keep-database") { Description = "Keep the benchmark database afterwards (it is dropped by default)" };
        var pandas = new Option<bool>("--with-pandas") { Description = "Also time bench/pandas_baseline.py on the same data (needs python3-pandas)" };
        var duckdb = new Option<bool>("--with-duckdb") { Description = "Also run the same rules in DuckDB in process over the same raw files" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the results as JSON here (default .warehouse/bench/result-N.json)" };
        var command = new Command("bench", "Generate (or reuse) data, run the whole pipeline into a fresh database, time every stage")
        {
            events, seed, sources, keep, pandas, duckdb, output, SharedOptions.Jobs,
        };
        command.SetAction(async (result, ct) =>
        {
            var n = result.GetValue(events);
            if (n <= 0)
            {
                throw new Warehouse.Core.WarehouseException("--events must be positive");
            }
            var home = DatabaseLocator.Home(GlobalOptions.ProjectRoot);
            // Checked before any database or data folder is touched.
            var sourceList = DataGenerator.CheckSources(
                result.GetValue(sources)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var options = new BenchOptions
            {
                Events = n,
                Seed = result.GetValue(seed),
                Sources = sourceList,
                DataDirectory = Path.Combine(home, "bench", $"data-{n}-{result.GetValue(seed)}-{string.Join('+', sourceList)}"),
                WorkDirectory = Path.Combine(home, "bench", "work"),
                MigrationsDirectory = GlobalOptions.MigrationsDirectory(result),
                ServerConnectionString = GlobalOptions.ConnectionString(result),
                KeepDatabase = result.GetValue(keep),
                Jobs = SharedOptions.JobsOf(result),
                PandasScript = result.GetValue(pandas) ? Path.Combine(GlobalOptions.ProjectRoot, "bench", "pandas_baseline.py") : null,
                WithDuckDb = result.GetValue(duckdb),
            };
            var migrationsDirectory = options.MigrationsDirectory;
            var embedded = DatabaseLocator.ExplicitUrl(result.GetValue(GlobalOptions.Database)) is null;
            options = options with { TimeApi = (context, token) => BenchApi.TimeAsync(context, migrationsDirectory, embedded, token) };
            var bench = await new Benchmark(options, Console.Out, new ConsoleProgress()).RunAsync(ct);
            Print(bench);
            var path = result.GetValue(output) ?? Path.Combine(home, "bench", $"result-{n}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, Benchmark.ToJson(bench));
            Console.WriteLine($"results written to {path}");
            return bench.ChecksPass ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static int Depth(IReadOnlyList<BenchStage> stages, BenchStage stage) =>
        stage.PartOf is null ? 0 : 1 + (stages.FirstOrDefault(s => s.Name == stage.PartOf) is { } parent ? Depth(stages, parent) : 0);

    private static void Print(BenchResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var names = r.Stages.Select(s => new string(' ', 2 * Depth(r.Stages, s)) + s.Name).ToList();   // a step inside the stage above it
        var width = names.Append("stage").Max(n => n.Length);
        Console.WriteLine();
        Console.WriteLine($"{"stage".PadRight(width)} {"seconds",8} {"rows/s",12} {"MB/s",8}");
        foreach (var (s, name) in r.Stages.Zip(names))
        {
            var rate = s.Rows is { } rows && s.Seconds > 0 ? (rows / s.Seconds).ToString("N0", c) : "";
            var mbs = s.Bytes is { } bytes && s.Seconds > 0 ? (bytes / 1e6 / s.Seconds).ToString("F0", c) : "";
            Console.WriteLine($"{name.PadRight(width)} {s.Seconds,8:F2} {rate,12} {mbs,8}");
        }
        var load = r.Stages.FirstOrDefault(s => s.Name == "load");
        Console.WriteLine();
        Console.WriteLine($"end to end (convert .. marts): {r.EndToEndSeconds:F1} s for {r.Options.Events:N0} events, {r.RawBytes / 1e6:F0} MB raw");
        if (load is not null && r.CopyFloorSeconds > 0)
        {
            Console.WriteLine($"load / copy floor: {load.Seconds / r.CopyFloorSeconds:F2}x ({load.Seconds:F2} s vs {r.CopyFloorSeconds:F2} s)");
        }
        Console.WriteLine($"runner peak memory: {r.PeakWorkingSetBytes / 1e6:F0} MB");
        if (r.PandasSeconds is { } pandasSeconds)
        {
            Console.WriteLine($"pandas script on the same data: {pandasSeconds:F1} s ({pandasSeconds / r.EndToEndSeconds:F1}x the warehouse's end to end)");
        }
        if (r.DuckdbSeconds is { } duckdbSeconds)
        {
            Console.WriteLine($"duckdb in-process on the same data: {duckdbSeconds:F2} s (the warehouse takes {r.EndToEndSeconds / duckdbSeconds:F1}x DuckDB's time)");
        }
        if (r.Reads.Count > 0)
        {
            var header = $"read (median of {Benchmark.ReadRuns} runs)";
            var readWidth = r.Reads.Select(x => x.Name.Length).Append(header.Length).Max();
            Console.WriteLine();
            Console.WriteLine($"{header.PadRight(readWidth)} {"ms",8} {"rows",10}  what");
            foreach (var read in r.Reads)
            {
                // an endpoint's "rows" are the bytes of its answer
                Console.WriteLine($"{read.Name.PadRight(readWidth)} {read.MedianMilliseconds,8:F1} {read.Rows,10:N0}  {read.What}");
            }
            Console.WriteLine();
        }
        foreach (var (name, (expected, actual)) in r.Checks)
        {
            Console.WriteLine($"{(expected == actual ? "ok  " : "FAIL")} {name}: expected {expected:N0}, got {actual:N0}");
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Generate;
using Warehouse.Core.Marts;
using Warehouse.Core.Migrations;
using Warehouse.Core.Pipeline;

namespace Warehouse.Core.Bench;

public sealed record BenchOptions
{
    public long Events { get; init; } = 5_000_000;
    public ulong Seed { get; init; } = GenerateOptions.DefaultSeed;
    public IReadOnlyList<string> Sources { get; init; } = ["http-log"];
    /// <summary>Folder for generated data; reused when it already holds data for the same arguments.</summary>
    public required string DataDirectory { get; init; }
    public required string WorkDirectory { get; init; }
    public required string MigrationsDirectory { get; init; }
    /// <summary>Connection string of the server; the benchmark creates (and drops) a fresh database on it.</summary>
    public required string ServerConnectionString { get; init; }
    public bool KeepDatabase { get; init; }
    /// <summary>Connections the refresh builds user buckets on at once.</summary>
    public int Jobs { get; init; } = Refresh.RefreshOptions.DefaultJobs;
    /// <summary>bench/pandas_baseline.py, to time the pandas script beside the warehouse on the same data; null skips it.</summary>
    public string? PandasScript { get; init; }
    /// <summary>Also run the same rules in DuckDB in process over the same raw files (<see cref="DuckDbPeer"/>).</summary>
    public bool WithDuckDb { get; init; }
    /// <summary>
    /// Times the API's endpoints over the benchmark's database (the API lives above the core, so the command supplies
    /// it); null skips them.
    /// </summary>
    public Func<BenchReadContext, CancellationToken, Task<IReadOnlyList<BenchRead>>>? TimeApi { get; init; }
}

/// <summary>What a timed read asks for: the database (as its owner), the last week of the data, a campaign of the mapping.</summary>
public sealed record BenchReadContext(string ConnectionString, string From, string To, string Campaign);

/// <summary>A read timed <see cref="Benchmark.ReadRuns"/> times: its median, and the rows it gave (an endpoint: the bytes of its answer).</summary>
public sealed record BenchRead(string Name, string What, double MedianMilliseconds, long Rows);

/// <summary>One comparison of the benchmark: the generator's figure and the query that gives the warehouse's.</summary>
public sealed record BenchCheck(string Name, long Expected, string Sql);

/// <summary>One timed stage of the benchmark; a step inside another stage names that stage in <paramref name="PartOf"/>.</summary>
public sealed record BenchStage(string Name, double Seconds, long? Rows = null, long? Bytes = null, string? PartOf = null);

public sealed record BenchResult(BenchOptions Options, IReadOnlyList<BenchStage> Stages, double CopyFloorSeconds, long RawBytes,
    long PeakWorkingSetBytes, IReadOnlyDictionary<string, (long Expected, long Actual)> Checks, string Database)
{
    /// <summary>Seconds the pandas script took on the same data, when it was run.</summary>
    public double? PandasSeconds { get; init; }
    /// <summary>Seconds DuckDB took on the same data in process (reading the raw files included), when it was run.</summary>
    public double? DuckdbSeconds { get; init; }
    /// <summary>Each mart's typical query and each API endpoint, timed after the run.</summary>
    public IReadOnlyList<BenchRead> Reads { get; init; } = [];

    public double EndToEndSeconds => Stages.Where(s => s.PartOf is null && s.Name is not ("generate" or "copy floor")).Sum(s => s.Seconds);
    public bool ChecksPass => Checks.Values.All(c => c.Expected == c.Actual);
}

/// <summary>
/// The whole pipeline at scale, into a fresh database, with every stage timed, the database's own COPY floor measured in
/// the same run (so results are ratios that survive a noisy machine), and the results checked against the counts the
/// generator computed independently while writing the data.
/// </summary>
public sealed class Benchmark(BenchOptions options, TextWriter log, IRunProgress progress)
{
    public async Task<BenchResult> RunAsync(CancellationToken ct = default)
    {
        var stages = new List<BenchStage>();
        var clock = Stopwatch.StartNew();

        if (!DataIsCurrent())
        {
            log.WriteLine($"generating {options.Events:N0} events into {options.DataDirectory}");
            if (Directory.Exists(options.DataDirectory))
            {
                Directory.Delete(options.DataDirectory, recursive: true);
            }
            DataGenerator.Generate(new GenerateOptions(options.Events, null, options.Seed, options.Sources, options.DataDirectory), ct);
            stages.Add(new BenchStage("generate", clock.Elapsed.TotalSeconds));
        }
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(options.DataDirectory, DataGenerator.ManifestName)))!;
        var rawFiles = InputDiscovery.Scan(options.DataDirectory).Where(f => f.Kind == InputKind.Raw).ToList();
        var rawBytes = rawFiles.Sum(f => new FileInfo(f.Path!).Length);

        // the process id keeps two benchmarks started in the same second on one server (the tests run them side by side) apart
        var database = $"warehouse_bench_{DateTime.UtcNow:yyyyMMddHHmmss}_{Environment.ProcessId}";
        await AdminAsync($"create database {database}", ct);
        var connectionString = new NpgsqlConnectionStringBuilder(options.ServerConnectionString) { Database = database }.ConnectionString;
        try
        {
            await new MigrationRunner(connectionString, new MigrationOptions { Directory = options.MigrationsDirectory }).MigrateAsync(TextWriter.Null, ct: ct);

            var floor = await CopyFloorAsync(connectionString, rawFiles, ct);
            stages.Add(new BenchStage("copy floor", floor, Bytes: rawBytes));
            log.WriteLine($"copy floor (raw lines into an unlogged text table): {floor:F2} s");

            // Converted files from earlier runs are not reused: the benchmark times the conversion itself.
            if (Directory.Exists(options.WorkDirectory))
            {
                Directory.Delete(options.WorkDirectory, recursive: true);
            }
            var pipeline = new RunPipeline(connectionString, TextWriter.Null, progress);
            var summary = await pipeline.RunAsync(new RunOptions
            {
                InputDirectory = options.DataDirectory,
                WorkDirectory = options.WorkDirectory,
                Migrations = new MigrationOptions { Directory = options.MigrationsDirectory },
                ExpectedDirectory = null,
                Jobs = options.Jobs,
            }, ct);
            var loadedRows = summary.Loaded.Sum(l => l.Rows);
            foreach (var (stage, elapsed) in summary.Stages.Where(s => s.Stage != "migrate"))
            {
                stages.Add(new BenchStage(stage, elapsed.TotalSeconds,
                    Rows: stage is "load" or "convert" ? loadedRows : null, Bytes: stage == "convert" ? rawBytes : null));
                // The steps inside a stage, from the run itself: the marts are views, and the run's count of each one
                // produces all of its rows, so that count is the mart's time (counting them again here would time them twice).
                if (stage == RunPipeline.RefreshStage)
                {
                    stages.AddRange(summary.RefreshSteps.Select(s => new BenchStage(s.Step, s.Elapsed.TotalSeconds, PartOf: stage)));
                    // the buckets' steps ran side by side: each step's time summed over the buckets, under the step that ran them
                    if (summary.Refresh is { BucketSteps.Count: > 0 } refresh)
                    {
                        var build = summary.RefreshSteps.Single(s => s.Step.StartsWith("build ", StringComparison.Ordinal)).Step;
                        stages.AddRange(refresh.BucketSteps.GroupBy(s => s.Step).Select(g => new BenchStage(
                            $"{g.Key} (sum of {refresh.Buckets} buckets)", g.Sum(s => s.Elapsed.TotalSeconds), PartOf: build)));
                    }
                }
                if (stage == RunPipeline.CountStage)
                {
                    stages.AddRange(summary.MartElapsed.Select(m => new BenchStage($"marts.{m.Key}", m.Value.TotalSeconds,
                        Rows: summary.MartRows[m.Key], PartOf: stage)));
                }
            }

            var checks = await CheckAsync(connectionString, manifest, ct);
            log.WriteLine($"timing each mart's typical query and each API endpoint ({ReadRuns} runs each)...");
            var reads = await TimeReadsAsync(connectionString, ct);
            using var self = Process.GetCurrentProcess();
            var peak = self.PeakWorkingSet64; // read before the peers run (DuckDB runs in this process): it is the runner's own peak
            double? pandasSeconds = null;
            if (options.PandasScript is not null)
            {
                log.WriteLine("running the pandas baseline on the same data...");
                var (seconds, sessions, driven) = await RunPandasAsync(options.PandasScript, options.DataDirectory, ct);
                pandasSeconds = seconds;
                checks["pandas sessions (same rules)"] = (checks.TryGetValue("http_log sessions", out var s) ? s.Expected : sessions, sessions);
                checks["pandas reward-driven sessions"] = (checks.TryGetValue("http_log reward-driven sessions", out var r) ? r.Expected : driven, driven);
            }
            double? duckdbSeconds = null;
            if (options.WithDuckDb)
            {
                log.WriteLine("running DuckDB in process on the same data...");
                var duck = DuckDbPeer.Run(options.DataDirectory, ct);
                duckdbSeconds = duck.Seconds;
                checks["duckdb sessions (same rules)"] = (checks.TryGetValue("http_log sessions", out var s) ? s.Expected : duck.Sessions, duck.Sessions);
                checks["duckdb reward-driven sessions"] = (checks.TryGetValue("http_log reward-driven sessions", out var r) ? r.Expected : duck.RewardDrivenSessions, duck.RewardDrivenSessions);
            }
            return new BenchResult(options, stages, floor, rawBytes, peak, checks, database) { PandasSeconds = pandasSeconds, DuckdbSeconds = duckdbSeconds, Reads = reads };
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!options.KeepDatabase)
            {
                await AdminAsync($"drop database if exists {database}", CancellationToken.None);
            }
        }
    }

    /// <summary>Runs of each timed read; its median is reported.</summary>
    public const int ReadRuns = 20;

    /// <summary>
    /// Each mart's typical query (<see cref="TypicalQueries"/>) on one connection, then the API's endpoints, over the last
    /// week of the data and the first campaign of the mapping. Each read runs once unmeasured (a first read pays for
    /// planning and cold caches, as a dashboard's first page does once), then <see cref="ReadRuns"/> times.
    /// </summary>
    private async Task<IReadOnlyList<BenchRead>> TimeReadsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        string to, campaign;
        await using (var command = new NpgsqlCommand("""
            select
                coalesce(to_char((select max(session_date) from marts.daily_sessions), 'YYYY-MM-DD'), '1970-01-01'),
                coalesce((select min(campaign_id) from staging.campaign_reward_mapping), '')
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            to = reader.GetString(0);
            campaign = reader.GetString(1);
        }
        var from = DateOnly.ParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var context = new BenchReadContext(connectionString, from, to, campaign);

        var reads = new List<BenchRead>();
        foreach (var query in TypicalQueries.All)
        {
            reads.Add(await MedianAsync($"marts.{query.Mart}", query.What, async token =>
            {
                await using var command = new NpgsqlCommand(query.Sql, connection);
                foreach (var (name, value) in new[] { ("from", from), ("to", to), ("campaign", campaign) })
                {
                    if (query.Sql.Contains("@" + name, StringComparison.Ordinal))
                    {
                        command.Parameters.AddWithValue(name, value);
                    }
                }
                long rows = 0;
                await using var reader = await command.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    rows++;
                }
                return rows;
            }, ct));
        }
        if (options.TimeApi is { } timeApi)
        {
            reads.AddRange(await timeApi(context, ct));
        }
        return reads;
    }

    /// <summary>Runs a read once unmeasured, then <see cref="ReadRuns"/> times; the median time and the rows it gave.</summary>
    public static async Task<BenchRead> MedianAsync(string name, string what, Func<CancellationToken, Task<long>> read, CancellationToken ct)
    {
        var rows = await read(ct);
        var times = new List<double>();
        for (var i = 0; i < ReadRuns; i++)
        {
            var watch = Stopwatch.StartNew();
            await read(ct);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return new BenchRead(name, what, (times[(ReadRuns - 1) / 2] + times[ReadRuns / 2]) / 2, rows);
    }

    /// <summary>Runs the pandas script as a whole process, wall clock included (that is what its user waits for).</summary>
    private static async Task<(double Seconds, long Sessions, long Driven)> RunPandasAsync(string script, string data, CancellationToken ct)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [script, data]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new WarehouseException("could not start /usr/bin/python3");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            var last = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            throw new WarehouseException($"the pandas baseline failed: {last} (it needs python3-pandas: apt-get install -y python3-pandas)");
        }
        var result = JsonNode.Parse((await stdout).Trim().Split('\n').Last())!;
        return (seconds, result["sessions"]!.GetValue<long>(), result["reward_driven_sessions"]!.GetValue<long>());
    }

    private bool DataIsCurrent()
    {
        var path = Path.Combine(options.DataDirectory, DataGenerator.ManifestName);
        if (!File.Exists(path))
        {
            return false;
        }
        var arguments = JsonNode.Parse(File.ReadAllText(path))?["arguments"];
        return arguments?["events"]?.GetValue<long>() == options.Events
            && arguments["seed"]?.GetValue<ulong>() == options.Seed
            && arguments["sources"]?.AsArray().Select(s => s!.GetValue<string>()).SequenceEqual(options.Sources) == true;
    }

    /// <summary>
    /// What the database alone needs to take in the raw bytes: psql's own <c>\copy</c> of every raw file into an
    /// unlogged one-column text table, timed as a whole process (as a user would run it).
    /// </summary>
    private static async Task<double> CopyFloorAsync(string connectionString, IReadOnlyList<InputFile> files, CancellationToken ct)
    {
        await ExecuteAsync(connectionString, "create unlogged table public.copy_floor (line text)", ct);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var watch = Stopwatch.StartNew();
        foreach (var file in files)
        {
            // Delimiter and quote are bytes that never occur in the data, so each line lands whole in the one column.
            var copy = $"\\copy public.copy_floor (line) from '{file.Path!.Replace("'", "''", StringComparison.Ordinal)}' with (format csv, delimiter e'\\x01', quote e'\\x02')";
            var start = new ProcessStartInfo("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture),
                "-U", builder.Username!, "-d", builder.Database!, "-c", copy])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            if (!string.IsNullOrEmpty(builder.Password))
            {
                start.Environment["PGPASSWORD"] = builder.Password;
            }
            using var psql = Process.Start(start) ?? throw new WarehouseException("could not start psql (apt-get install -y postgresql-client)");
            var error = psql.StandardError.ReadToEndAsync(ct);
            await psql.WaitForExitAsync(ct);
            if (psql.ExitCode != 0)
            {
                throw new WarehouseException($"psql \\copy for the copy floor failed: {(await error).Trim()}");
            }
        }
        var seconds = watch.Elapsed.TotalSeconds;
        await ExecuteAsync(connectionString, "drop table public.copy_floor", ct);
        return seconds;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The warehouse's results against the counts the generator computed while writing the data.</summary>
    private static async Task<Dictionary<string, (long Expected, long Actual)>> CheckAsync(string connectionString, JsonNode manifest, CancellationToken ct)
    {
        var checks = new Dictionary<string, (long Expected, long Actual)>();
        foreach (var check in ChecksFor(manifest))
        {
            checks[check.Name] = (check.Expected, await ScalarAsync(connectionString, check.Sql, ct));
        }
        return checks;
    }

    /// <summary>What to compare for each generated file in the manifest: a name, the generator's figure, the query giving the warehouse's.</summary>
    public static IReadOnlyList<BenchCheck> ChecksFor(JsonNode manifest)
    {
        var checks = new List<BenchCheck>();
        var files = manifest["files"]!.AsObject();
        (string File, string Source)[] sources =
        [
            ("http_log.txt", "http_log"), ("webshop_events.jsonl", "webshop_events"), ("device_events.jsonl", "device_events"),
            ("clickstream.csv", "clickstream"), ("access.log", "access_log"),
        ];
        foreach (var (file, source) in sources)
        {
            if (files[file]?["expected"] is not JsonObject expected)
            {
                continue;
            }
            checks.Add(new($"{source} sessions", expected["sessions"]!.GetValue<long>(),
                $"select count(*) from core.sessions where source = '{source}'"));
            checks.Add(new($"{source} users", expected["users"]!.GetValue<long>(),
                $"select count(distinct user_id) from core.sessions where source = '{source}'"));
            if (source == "http_log")
            {
                checks.Add(new("http_log reward-driven sessions", expected["reward_driven_sessions"]!.GetValue<long>(),
                    "select count(*) from marts.campaign_performance where reward_driven_by_campaign_view"));
            }
            if (source == "access_log")
            {
                // Every generated line is a request, so staging holds them all: per status class, '-' bytes, addresses.
                checks.Add(new("access_log requests", files[file]!["lines"]!.GetValue<long>(), "select count(*) from staging.access_log"));
                foreach (var (statusClass, count) in expected["requests_by_status_class"]!.AsObject())
                {
                    checks.Add(new($"access_log {statusClass} requests", count!.GetValue<long>(),
                        $"select count(*) from staging.access_log where status / 100 = {statusClass[0]}"));
                }
                checks.Add(new("access_log '-' bytes", expected["bytes_dash"]!.GetValue<long>(),
                    "select count(*) from staging.access_log where response_bytes is null"));
                checks.Add(new("access_log client addresses", expected["client_addresses"]!.GetValue<long>(),
                    "select count(distinct client_address) from staging.access_log"));
            }
        }
        return checks;
    }

    private async Task AdminAsync(string sql, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(options.ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = await Connections.OpenAsync(admin, ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return System.Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>The result as JSON, for the README table and for comparing runs.</summary>
    public static string ToJson(BenchResult result)
    {
        var json = new JsonObject
        {
            ["measured_at"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            ["events"] = result.Options.Events,
            ["seed"] = result.Options.Seed,
            ["sources"] = new JsonArray([.. result.Options.Sources.Select(s => (JsonNode)s)]),
            ["raw_bytes"] = result.RawBytes,
            ["end_to_end_seconds"] = Math.Round(result.EndToEndSeconds, 3),
            ["copy_floor_seconds"] = Math.Round(result.CopyFloorSeconds, 3),
            ["pandas_seconds"] = result.PandasSeconds is { } p ? Math.Round(p, 3) : null,
            ["duckdb_seconds"] = result.DuckdbSeconds is { } d ? Math.Round(d, 3) : null,
            ["runner_peak_working_set_bytes"] = result.PeakWorkingSetBytes,
            ["stages"] = new JsonArray([.. result.Stages.Select(s => (JsonNode)new JsonObject
            {
                ["stage"] = s.Name,
                ["part_of"] = s.PartOf,
                ["seconds"] = Math.Round(s.Seconds, 3),
                ["rows"] = s.Rows,
                ["rows_per_second"] = s.Rows is { } r && s.Seconds > 0 ? Math.Round(r / s.Seconds) : null,
                ["mb_per_second"] = s.Bytes is { } b && s.Seconds > 0 ? Math.Round(b / 1e6 / s.Seconds, 1) : null,
            })]),
            ["reads"] = new JsonArray([.. result.Reads.Select(r => (JsonNode)new JsonObject
            {
                ["read"] = r.Name,
                ["what"] = r.What,
                ["median_ms"] = Math.Round(r.MedianMilliseconds, 1),
                ["rows"] = r.Rows,
            })]),
            ["checks"] = new JsonObject([.. result.Checks.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)new JsonObject
            {
                ["expected"] = c.Value.Expected,
                ["actual"] = c.Value.Actual,
            }))]),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}

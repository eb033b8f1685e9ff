using System.Text.Json.Nodes;
using Warehouse.Core.Bench;
using Warehouse.Core.Generate;

namespace Warehouse.Tests.Bench;

/// <summary>
/// <c>bench --sources combined</c>: the benchmark takes the access log as a source and compares what the warehouse loads
/// with the generator's counts. (A whole run of it needs the combined converter in the pipeline.)
/// </summary>
[Trait("Speed", "slow")] // the benchmark
public sealed class BenchAccessLogTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("bench-access-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void ChecksFor_AGeneratedAccessLog_CompareStagingAndSessionsWithTheGeneratorsCounts()
    {
        DataGenerator.Generate(new GenerateOptions(2_000, null, 3, ["combined"], _home));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_home, DataGenerator.ManifestName)))!;
        var entry = manifest["files"]!["access.log"]!;
        var expected = entry["expected"]!;

        var checks = Benchmark.ChecksFor(manifest).ToDictionary(c => c.Name);

        Assert.Equal(2_000, checks["access_log requests"].Expected);
        Assert.Equal("select count(*) from staging.access_log", checks["access_log requests"].Sql);
        Assert.Equal(expected["sessions"]!.GetValue<long>(), checks["access_log sessions"].Expected);
        Assert.Contains("where source = 'access_log'", checks["access_log sessions"].Sql);
        Assert.Equal(expected["users"]!.GetValue<long>(), checks["access_log users"].Expected);
        Assert.Equal(expected["client_addresses"]!.GetValue<long>(), checks["access_log client addresses"].Expected);
        Assert.Equal(expected["bytes_dash"]!.GetValue<long>(), checks["access_log '-' bytes"].Expected);
        Assert.Equal(expected["requests_by_status_class"]!["4xx"]!.GetValue<long>(), checks["access_log 4xx requests"].Expected);
        Assert.EndsWith("where status / 100 = 4", checks["access_log 4xx requests"].Sql);
        Assert.DoesNotContain(checks.Keys, k => k.StartsWith("http_log", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bench_WithAnUnknownSource_FailsWithOneLine_NamingCombinedAmongTheChoices_BeforeGeneratingAnything()
    {
        var result = await Infrastructure.Cli.RunAsync(["bench", "--events", "100", "--sources", "http-log,nginx", "--database", "postgres://127.0.0.1:1/none"],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home });

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: unknown source 'nginx' in --sources; choose from http-log, webshop-events, device-events, clickstream-csv, combined", line);
        Assert.False(Directory.Exists(Path.Combine(_home, "bench")));
    }
}

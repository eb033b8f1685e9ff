using System.Text.Json.Nodes;
using Warehouse.Api;
using Warehouse.Core.Marts;
using Warehouse.Tests.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Bench;

/// <summary>
/// <c>warehouse bench</c> end to end at a tiny scale: it generates data, runs the pipeline into a database of its own,
/// checks the results against the generator's counts, and reports every stage once (steps inside a stage are listed
/// under it, never added to the end-to-end time twice).
/// </summary>
[Trait("Speed", "slow")] // the benchmark
public sealed class BenchCliTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("bench-cli-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Bench_SmallRun_PassesItsChecks_ReportsEachStageOnce_AndTimesEveryMartQueryAndEndpoint()
    {
        var server = TestDatabase.UrlFor(await TestDatabase.CreateEmptyAsync(nameof(Bench_SmallRun_PassesItsChecks_ReportsEachStageOnce_AndTimesEveryMartQueryAndEndpoint)));
        var output = Path.Combine(_home, "result.json");

        var result = await Infrastructure.Cli.RunAsync(["bench", "--events", "3000", "--seed", "7", "--jobs", "2", "--database", server, "-o", output],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home, [ApiRole.PasswordVariable] = ApiTestData.ApiPassword });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok   http_log sessions", result.Stdout);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        foreach (var (name, check) in json["checks"]!.AsObject())
        {
            Assert.True(check!["expected"]!.GetValue<long>() == check["actual"]!.GetValue<long>(), name);
        }
        var stages = json["stages"]!.AsArray().Select(s => (
            Name: s!["stage"]!.GetValue<string>(),
            Seconds: s["seconds"]!.GetValue<double>(),
            Rows: s["rows"]?.GetValue<long>(),
            PartOf: s["part_of"]?.GetValue<string>())).ToList();
        var build = Assert.Single(stages, s => s.Name == "build 2 buckets on 2 jobs");
        Assert.Equal("refresh", build.PartOf);
        Assert.Contains(stages, s => s is { Name: "sessionize events (sum of 2 buckets)", PartOf: "build 2 buckets on 2 jobs" });
        var campaignPerformance = Assert.Single(stages, s => s.Name == "marts.campaign_performance");
        Assert.Equal("sessions and marts", campaignPerformance.PartOf);
        Assert.Equal(json["checks"]!["http_log sessions"]!["actual"]!.GetValue<long>(), campaignPerformance.Rows);
        var topLevel = stages.Where(s => s.PartOf is null && s.Name is not ("generate" or "copy floor")).Sum(s => s.Seconds);
        Assert.Equal(topLevel, json["end_to_end_seconds"]!.GetValue<double>(), 0.01);
        Assert.True(stages.Where(s => s.PartOf == "refresh").Sum(s => s.Seconds) <= stages.Single(s => s.Name == "refresh").Seconds + 0.01);
        // every mart's typical query and every endpoint, each with its median, listed in the output too
        var reads = json["reads"]!.AsArray().Select(r => (Name: r!["read"]!.GetValue<string>(), Median: r["median_ms"]!.GetValue<double>())).ToList();
        Assert.Equal(MartCatalog.Names.Select(m => "marts." + m).Order(), reads.Where(r => r.Name.StartsWith("marts.", StringComparison.Ordinal)).Select(r => r.Name).Order());
        Assert.Contains(reads, r => r.Name.StartsWith("GET /sessions/daily-by-key?key=browser_family&from=", StringComparison.Ordinal));
        Assert.Contains(reads, r => r.Name == "GET /metrics/order");
        Assert.All(reads, r => Assert.True(r.Median > 0, r.Name));
        Assert.Contains("read (median of 20 runs)", result.Stdout);
    }
}

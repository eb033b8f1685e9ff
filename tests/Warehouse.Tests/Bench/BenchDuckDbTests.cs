using System.Text.Json.Nodes;
using Warehouse.Api;
using Warehouse.Core.Bench;
using Warehouse.Tests.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Bench;

/// <summary>
/// <c>warehouse bench --with-duckdb</c>: DuckDB, in process, applies the pandas script's rules to the same raw files and
/// must reproduce the generator's counts; and the peer's rules on a hand-worked log, where each wrong rule changes a count.
/// </summary>
[Trait("Speed", "slow")] // the benchmark
public sealed class BenchDuckDbTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("bench-duckdb-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Bench_WithDuckDb_MatchesTheGeneratorsCounts_AndRecordsItsTime()
    {
        var server = TestDatabase.UrlFor(await TestDatabase.CreateEmptyAsync(nameof(Bench_WithDuckDb_MatchesTheGeneratorsCounts_AndRecordsItsTime)));
        var output = Path.Combine(_home, "result.json");

        var result = await Infrastructure.Cli.RunAsync(["bench", "--events", "3000", "--seed", "7", "--with-duckdb", "--database", server, "-o", output],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home, [ApiRole.PasswordVariable] = ApiTestData.ApiPassword });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("duckdb in-process on the same data: ", result.Stdout);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        var checks = json["checks"]!.AsObject();
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_home, "bench", "data-3000-7-http-log", "generated.json")))!
            ["files"]!["http_log.txt"]!["expected"]!;
        Assert.Equal(expected["sessions"]!.GetValue<long>(), checks["duckdb sessions (same rules)"]!["expected"]!.GetValue<long>());
        Assert.Equal(expected["sessions"]!.GetValue<long>(), checks["duckdb sessions (same rules)"]!["actual"]!.GetValue<long>());
        Assert.Equal(expected["reward_driven_sessions"]!.GetValue<long>(), checks["duckdb reward-driven sessions"]!["expected"]!.GetValue<long>());
        Assert.Equal(expected["reward_driven_sessions"]!.GetValue<long>(), checks["duckdb reward-driven sessions"]!["actual"]!.GetValue<long>());
        Assert.True(json["duckdb_seconds"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void DuckDbPeer_HandWorkedLog_AppliesTheSessionAndRewardRules()
    {
        var data = Directory.CreateDirectory(Path.Combine(_home, "tiny")).FullName;
        File.WriteAllText(Path.Combine(data, DuckDbPeer.MappingName), """
            campaign_id,reward_id
            10,100
            10,100
            20,200

            """);
        // Unsorted on purpose. Expected, worked by hand:
        //   u1: 10:00:00 view 10 | 10:04:59.999 issue 100 (299.999 s: same session; 10 holds 100, viewed before: driven)
        //       | 10:09:59.999 (written -05:30; exactly 300 s: a new session) | 10:11 issue 200 | 10:12 view 20 (after the
        //       issue: not driven) -> 2 sessions, 1 driven
        //   u2: GET /campaigns/10/rewards (not a view) then POST /rewards/100; a view of 10 on a line with five fields and
        //       one with an impossible date (both dropped) -> 1 session, not driven
        //   u3: view 20 at the same instant as the issue of 200 ("at or before") -> 1 session, driven
        File.WriteAllText(Path.Combine(data, DuckDbPeer.HttpLogName), """
            2019-08-27T10:11:00Z POST /rewards/200 u1
            2019-08-27T10:00:00Z GET /campaigns/10 u1
            2019-08-27T09:59:00+00:00 GET /campaigns/10 u2 extra
            2019-08-27T04:39:59.999-05:30 GET /health u1
            2019-08-27T10:04:59.999+00:00 POST /rewards/100 u1
            2019-08-27T09:59:50Z GET /campaigns/10/rewards u2
            2019-08-27T25:61:00Z GET /campaigns/10 u2
            2019-08-27T10:00:00Z POST /rewards/100 u2
            2019-08-27T10:12:00Z GET /campaigns/20 u1
            2019-08-27T12:00:00Z POST /rewards/200 u3
            \x16\x03\x01 garbled request from a TLS client
            2019-08-27T14:00:00+02:00 GET /campaigns/20 u3

            """);

        var result = DuckDbPeer.Run(data);

        Assert.Equal((4L, 2L, 3L), (result.Sessions, result.RewardDrivenSessions, result.Users));
        Assert.True(result.Seconds > 0);
    }
}

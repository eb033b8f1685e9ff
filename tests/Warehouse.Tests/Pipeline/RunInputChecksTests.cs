using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Pipeline;

/// <summary><c>warehouse run --input</c> on inputs that yield nothing, or files that are mostly rejects: never a silent success.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class RunInputChecksTests : IDisposable
{
    private readonly string _input = Directory.CreateTempSubdirectory("input-").FullName;
    private readonly string _home = Directory.CreateTempSubdirectory("home-").FullName;
    private static readonly string Sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");

    public void Dispose()
    {
        Directory.Delete(_input, recursive: true);
        Directory.Delete(_home, recursive: true);
    }

    private Task<Infrastructure.Cli.Result> RunAsync(string db, params string[] more) =>
        Infrastructure.Cli.RunAsync(["run", "--database", TestDatabase.UrlFor(db), .. more],
            new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home });

    [Fact]
    public async Task Run_OnAFolderWhereNoNameIsRecognised_FailsWithOneLineListingTheRecognisedNames()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OnAFolderWhereNoNameIsRecognised_FailsWithOneLineListingTheRecognisedNames));
        File.WriteAllText(Path.Combine(_input, "server.log"), "2019-08-27T10:00:00Z server started\n");
        File.WriteAllText(Path.Combine(_input, "notes.md"), "not data\n");

        var result = await RunAsync(db, "--input", _input);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: no recognised input in {_input} (found only notes.md, server.log): expected http_log*.txt, " +
            "campaign_reward_mapping*.csv, webshop_events*.jsonl, events*.json, device_events*.jsonl, clickstream*.csv, *.avro, " +
            "access.log*, access_log*, *.access.log* (raw files and the mapping also as .gz; any other local file whose first line " +
            "is an access log line)", line);
    }

    [Fact]
    public async Task Run_WhenEveryLineOfAFileIsRejected_LoadsTheOtherFilesAndExits3NamingTheFileItsRateAndReasons()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenEveryLineOfAFileIsRejected_LoadsTheOtherFilesAndExits3NamingTheFileItsRateAndReasons));
        File.Copy(Path.Combine(Sample, "http_log.txt"), Path.Combine(_input, "http_log.txt"));
        // device events in a file named like webshop events: every line lacks the webshop fields
        File.Copy(Path.Combine(Sample, "device_events.jsonl"), Path.Combine(_input, "webshop_events.jsonl"));

        var result = await RunAsync(db, "--input", _input);

        Assert.True(result.ExitCode == 3, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: webshop_events.jsonl: 9 of 9 lines rejected (100%), over the limit of 50% (--max-reject-rate); " +
            "not loaded. Top reasons: ", line);
        Assert.Equal(16, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.loaded_files where source = 'webshop_events'"));
    }

    [Fact]
    public async Task Run_WithALowerMaxRejectRate_RefusesOnlyTheFilesOverIt()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WithALowerMaxRejectRate_RefusesOnlyTheFilesOverIt));

        // the sample rejects 2 lines of each file: http_log 2/18, webshop 2/16, device 2/9 (22%), clickstream 2/7 (29%)
        var result = await RunAsync(db, "--input", Sample, "--max-reject-rate", "20%", "--expected", Path.Combine(Sample, "expected"));

        Assert.True(result.ExitCode == 3, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: clickstream.csv: 2 of 7 lines rejected (28.6%), over the limit of 20%", lines[0]);
        Assert.StartsWith("error: device_events.jsonl: 2 of 9 lines rejected (22.2%), over the limit of 20%", lines[1]);
        Assert.Equal(14, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.webshop_events"));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.device_events"));
    }

    [Fact]
    public async Task Run_WithSeveralWrongHeaders_ReportsEveryOneInOneStyleBeforeLoadingAnything()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WithSeveralWrongHeaders_ReportsEveryOneInOneStyleBeforeLoadingAnything));
        File.Copy(Path.Combine(Sample, "http_log.txt"), Path.Combine(_input, "http_log.txt"));
        File.WriteAllText(Path.Combine(_input, "clickstream.csv"), "userId,ip\nu1,10.0.0.1\n");
        File.WriteAllText(Path.Combine(_input, "campaign_reward_mapping.csv"), "campaign,reward\n10,100\n");
        File.WriteAllText(Path.Combine(_input, "broken.avro"), "not an Avro file at all\n");
        File.Copy(Path.Combine(TestDatabase.SharedData, "avro", "weather.avro"), Path.Combine(_input, "weather.avro"));

        var result = await RunAsync(db, "--input", _input);

        Assert.True(result.ExitCode == 1, result.ToString());
        var avro = "expected header 'an Avro container of warehouse.raw.HttpLogRequest or warehouse.raw.WebshopEvent or " +
            "warehouse.raw.DeviceEvent or warehouse.raw.ClickstreamEvent or warehouse.raw.AccessLogRequest', found ";
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"error: broken.avro:1: {avro}'", lines[0]);
        Assert.Equal("error: campaign_reward_mapping.csv:1: expected header 'campaign_id,reward_id', found 'campaign,reward'", lines[1]);
        Assert.Equal("error: clickstream.csv:1: expected header 'ip,original_timestamp,productId,userAgent,userId', found 'userId,ip'", lines[2]);
        Assert.Equal($"error: weather.avro:1: {avro}'record test.Weather'", lines[3]);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from information_schema.schemata where schema_name = 'staging'"));
    }

    [Theory]
    [InlineData("150%")]
    [InlineData("-0.1")]
    [InlineData("ten")]
    public async Task Run_WithAMaxRejectRateOutsideZeroToOne_IsAWrongCommandLine(string value)
    {
        var result = await Infrastructure.Cli.RunAsync("run", "--max-reject-rate", value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"--max-reject-rate must be a percentage from 0% to 100% or a fraction from 0 to 1, got '{value}'", result.Stderr);
    }
}

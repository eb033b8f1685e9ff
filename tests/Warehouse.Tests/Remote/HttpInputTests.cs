using Warehouse.Core;
using Warehouse.Tests.Infrastructure;
using static Warehouse.Tests.Remote.RemoteTestSupport;

namespace Warehouse.Tests.Remote;

[Trait("Speed", "slow")] // the CLI as a process
public sealed class HttpInputTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("remote-http-").FullName;
    private readonly LoopbackHttpServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Run_FromUrlsWithDroppedConnectionAnd503s_GivesTheMartsOfTheLocalFiles()
    {
        var expected = await LocalSampleMartsAsync("http_local_reference");
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_FromUrlsWithDroppedConnectionAnd503s_GivesTheMartsOfTheLocalFiles));
        var urls = new[]
        {
            _server.Serve("/export/http_log.txt", SampleBytes("http_log.txt")),
            _server.Serve("/export/campaign_reward_mapping.csv", SampleBytes("campaign_reward_mapping.csv")),
            // Gzipped, and the first download breaks half-way: the retry must not add the first half twice.
            _server.Serve("/export/webshop_events.jsonl.gz", Gzip(SampleBytes("webshop_events.jsonl")), Fault.DropMidwayOnce),
            _server.Serve("/export/device_events.jsonl", SampleBytes("device_events.jsonl"), Fault.ServiceUnavailableTwice),
            _server.Serve("/export/clickstream.csv.gz", Gzip(SampleBytes("clickstream.csv")), Fault.NoVersionHeaders),
        };

        var log = new StringWriter();
        foreach (var url in urls)
        {
            await RunAsync(db, url, _work, log: log);
        }

        MartSnapshot.AssertEqual(expected, await MartSnapshot.TakeAsync(db));
        Assert.Equal(14L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.webshop_events"));
        Assert.Equal(2, _server.Gets("/export/webshop_events.jsonl.gz"));
        Assert.Equal(3, _server.Gets("/export/device_events.jsonl"));
        Assert.Contains("retrying http://127.0.0.1", log.ToString(), StringComparison.Ordinal);
        Assert.Equal("webshop_events.jsonl", await TestDatabase.ScalarAsync<string>(db, "select min(source_file) from staging.webshop_events"));
    }

    [Fact]
    public async Task Run_SameUrlTwice_ReadsAndLoadsNothingTheSecondTimeEvenWithoutTheWorkFolder()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_SameUrlTwice_ReadsAndLoadsNothingTheSecondTimeEvenWithoutTheWorkFolder));
        var url = _server.Serve("/http_log.txt.gz", Gzip(SampleBytes("http_log.txt")));

        var first = await RunAsync(db, url, _work);
        Directory.Delete(_work, recursive: true);
        var second = await RunAsync(db, url, _work);

        Assert.Equal(16, first.StagingRows["http_log"]);
        Assert.Equal(16, second.StagingRows["http_log"]);
        Assert.Equal([url], second.AlreadyLoadedRemote);
        Assert.Empty(second.Converted);
        Assert.Equal(1, _server.Gets("/http_log.txt.gz"));
        Assert.Equal(url, await TestDatabase.ScalarAsync<string>(db, "select file_name from staging.loaded_files"));
        Assert.StartsWith("etag:", await TestDatabase.ScalarAsync<string>(db, "select object_version from staging.loaded_files"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhenTheObjectChanges_LoadsTheNewVersionAsNew()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenTheObjectChanges_LoadsTheNewVersionAsNew));
        var lines = File.ReadAllLines(Path.Combine(Sample, "http_log.txt"));
        var url = _server.Serve("/http_log_day.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines[..5]) + "\n"));
        await RunAsync(db, url, _work);

        _server.Serve("/http_log_day.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines[5..10]) + "\n"));
        var second = await RunAsync(db, url, _work);

        Assert.Empty(second.AlreadyLoadedRemote);
        Assert.Equal(10, second.StagingRows["http_log"]);
        Assert.Equal(2L, await TestDatabase.ScalarAsync<long>(db, "select count(distinct object_version) from staging.loaded_files"));
    }

    [Fact]
    public async Task Run_OnAMissingUrl_FailsWithOneLineNamingTheUrlButNotItsQueryString()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OnAMissingUrl_FailsWithOneLineNamingTheUrlButNotItsQueryString));
        var url = _server.BaseUrl + "/missing/webshop_events.jsonl?X-Amz-Signature=s3cr3t&X-Amz-Credential=AKIDEXAMPLE";

        var error = await Assert.ThrowsAsync<WarehouseException>(() => RunAsync(db, url, _work));

        Assert.Equal($"{_server.BaseUrl}/missing/webshop_events.jsonl?…: not found (HTTP 404 Not Found)", error.Message);
    }

    [Fact]
    public async Task Cli_RunOnAUrlThenProfile_PrintsTheSummaryAndTheProfileTable()
    {
        var db = TestDatabase.UrlFor(await TestDatabase.CreateEmptyAsync(nameof(Cli_RunOnAUrlThenProfile_PrintsTheSummaryAndTheProfileTable)));
        var url = _server.Serve("/webshop_events.jsonl.gz", Gzip(SampleBytes("webshop_events.jsonl")));
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _work };

        var run = await Infrastructure.Cli.RunAsync(["run", "--input", url, "--profile", "--database", db], home);
        var profile = await Infrastructure.Cli.RunAsync(["profile", "--source", "webshop_events", "--database", db], home);
        var missing = await Infrastructure.Cli.RunAsync(["run", "--input", _server.BaseUrl + "/nothing.jsonl", "--database", db], home);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("webshop_events", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("events without a user", run.Stdout, StringComparison.Ordinal);
        Assert.True(profile.ExitCode == 0, profile.ToString());
        Assert.Matches(@"events without a user\s+2\n", profile.Stdout.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"error: {_server.BaseUrl}/nothing.jsonl: not found (HTTP 404 Not Found)", missing.Stderr.Trim());
    }
}

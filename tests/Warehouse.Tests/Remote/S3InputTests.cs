using System.Text;
using Warehouse.Core;
using Warehouse.Core.Remote;
using Warehouse.Tests.Infrastructure;
using static Warehouse.Tests.Remote.RemoteTestSupport;

namespace Warehouse.Tests.Remote;

[Trait("Speed", "slow")] // an S3 server (s3rver) and the CLI as a process
public sealed class S3InputTests(S3rverServer s3) : IClassFixture<S3rverServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("remote-s3-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private RemoteOptions Options => new() { S3Endpoint = s3.Endpoint, S3Credentials = S3rverServer.Credentials };

    /// <summary>The sample as an export prefix of gzipped parts (webshop events split in two), plus a file that is not an input.</summary>
    private async Task PutSampleAsync(string bucket, string prefix)
    {
        await s3.CreateBucketAsync(bucket);
        var webshop = File.ReadAllLines(Path.Combine(Sample, "webshop_events.jsonl"));
        byte[] Lines(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
        await s3.PutAsync(bucket, prefix + "webshop_events-part-00001.jsonl.gz", Gzip(Lines(webshop[..8])));
        await s3.PutAsync(bucket, prefix + "webshop_events-part-00002.jsonl.gz", Gzip(Lines(webshop[8..])));
        await s3.PutAsync(bucket, prefix + "device_events-part-00001.jsonl.gz", Gzip(SampleBytes("device_events.jsonl")));
        await s3.PutAsync(bucket, prefix + "clickstream-part-00001.csv.gz", Gzip(SampleBytes("clickstream.csv")));
        await s3.PutAsync(bucket, prefix + "http_log-part-00001.txt", SampleBytes("http_log.txt"));
        await s3.PutAsync(bucket, prefix + "campaign_reward_mapping.csv", SampleBytes("campaign_reward_mapping.csv"));
        await s3.PutAsync(bucket, prefix + "_SUCCESS", []);
        await s3.PutAsync(bucket, "other/http_log-part-00009.txt", SampleBytes("http_log.txt"));
    }

    [Fact]
    public async Task Run_FromAnS3PrefixOfGzippedParts_GivesTheMartsOfTheLocalFiles()
    {
        var expected = await LocalSampleMartsAsync("s3_local_reference");
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_FromAnS3PrefixOfGzippedParts_GivesTheMartsOfTheLocalFiles));
        await PutSampleAsync("exports", "2022/04/");

        var summary = await RunAsync(db, "s3://exports/2022/04/", _work, Options);

        MartSnapshot.AssertEqual(expected, await MartSnapshot.TakeAsync(db));
        Assert.Equal(["s3://exports/2022/04/_SUCCESS"], summary.Skipped.Select(s => s.Input));
        Assert.Equal(
            ["webshop_events-part-00001.jsonl", "webshop_events-part-00002.jsonl"],
            summary.Converted.Where(c => c.Format == "webshop-events").Select(c => c.SourceFile));
        Assert.Equal(16, summary.StagingRows["http_log"]);
        Assert.Equal(2L, await TestDatabase.ScalarAsync<long>(db,
            "select cast(sum(line_count) as bigint) from staging.load_rejects where source = 'webshop_events'"));
    }

    [Fact]
    public async Task Run_SamePrefixTwice_LoadsNothingTheSecondTime()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_SamePrefixTwice_LoadsNothingTheSecondTime));
        await PutSampleAsync("again", "x/");

        var first = await RunAsync(db, "s3://again/x/", _work, Options);
        Directory.Delete(_work, recursive: true);
        var second = await RunAsync(db, "s3://again/x/", _work, Options);

        Assert.Equal(5, second.AlreadyLoadedRemote.Count);
        Assert.All(second.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName));
        Assert.Equal(first.StagingRows, second.StagingRows);
        Assert.Equal(6L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.loaded_files where file_name like 's3://again/x/%'"));
    }

    [Fact]
    public async Task Run_OnAMissingBucket_FailsWithOneLineNamingIt()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OnAMissingBucket_FailsWithOneLineNamingIt));

        var error = await Assert.ThrowsAsync<WarehouseException>(() => RunAsync(db, "s3://no-such-bucket/p/", _work, Options));

        Assert.StartsWith("s3://no-such-bucket/p/: not found (S3 404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_RunWithS3Endpoint_TakesCredentialsFromTheEnvironment()
    {
        var connection = await TestDatabase.CreateEmptyAsync(nameof(Cli_RunWithS3Endpoint_TakesCredentialsFromTheEnvironment));
        var db = TestDatabase.UrlFor(connection);
        await PutSampleAsync("cli", "in/");
        var environment = new Dictionary<string, string>
        {
            ["WAREHOUSE_HOME"] = _work,
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
            ["AWS_REGION"] = "us-east-1",
        };

        var run = await Infrastructure.Cli.RunAsync(["run", "--input", "s3://cli/in/", "--s3-endpoint", s3.Endpoint, "--database", db], environment);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("s3://cli/in/webshop_events-part-00002.jsonl.gz", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Equal(14L, await TestDatabase.ScalarAsync<long>(connection, "select count(*) from staging.webshop_events"));
    }
}

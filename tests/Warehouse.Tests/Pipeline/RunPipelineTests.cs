using Warehouse.Core.Marts;
using Warehouse.Core.Migrations;
using Warehouse.Core.Pipeline;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Pipeline;

[Trait("Speed", "slow")] // scale: the whole pipeline over the real data sets
public sealed class RunPipelineTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("run-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private sealed class NoProgress : IRunProgress
    {
        public void Stage(string name) { }
        public IProgress<long> Bytes(string what, long total) => new Progress<long>();
        public void Done(string what) { }
    }

    private Task<RunSummary> RunAsync(string db, string input, string? expected = null) =>
        new RunPipeline(db, TextWriter.Null, new NoProgress()).RunAsync(new RunOptions
        {
            InputDirectory = input,
            ExpectedDirectory = expected,
            WorkDirectory = _work,
            Migrations = new MigrationOptions { Directory = TestDatabase.MigrationsDirectory },
        });

    [Fact]
    public async Task Run_OnThePerxLog_Loads16000RequestsInto7377Sessions()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OnThePerxLog_Loads16000RequestsInto7377Sessions));

        var summary = await RunAsync(db, Path.Combine(TestDatabase.SharedData, "perx"));

        var converted = Assert.Single(summary.Converted);
        Assert.Equal((16000L, 16000L, 0L), (converted.Lines, converted.Records, converted.Rejected));
        Assert.Equal(16000, summary.StagingRows["http_log"]);
        Assert.Equal(1761, summary.StagingRows["campaign_reward_mapping"]);
        Assert.Equal(7377, summary.Sessions["http_log"]);
        Assert.Equal(7377, summary.MartRows["campaign_performance"]);
        Assert.Null(summary.Verification);
    }

    [Fact]
    public async Task Run_Twice_LoadsNothingTheSecondTimeAndGivesTheSameMarts()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_Twice_LoadsNothingTheSecondTimeAndGivesTheSameMarts));
        var sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");

        var first = await RunAsync(db, sample);
        var second = await RunAsync(db, sample);

        Assert.All(second.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName));
        Assert.All(second.Converted, c => Assert.True(c.Reused, c.SourceFile));
        Assert.Equal(first.StagingRows, second.StagingRows);
        Assert.Equal(first.MartRows, second.MartRows);
    }

    [Fact]
    public async Task Run_AgainAfterTheWorkFolderWasDeleted_StillLoadsNothingTwice()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_AgainAfterTheWorkFolderWasDeleted_StillLoadsNothingTwice));
        var sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");

        var first = await RunAsync(db, sample);
        Directory.Delete(_work, recursive: true);
        var second = await RunAsync(db, sample);

        Assert.All(second.Converted, c => Assert.False(c.Reused, c.SourceFile)); // converted afresh: new Avro bytes...
        Assert.All(second.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName)); // ...yet recognised by the raw content
        Assert.Equal(first.StagingRows, second.StagingRows);
    }

    [Fact]
    public async Task Run_OnTheSample_MatchesTheHandWorkedExpectedMarts()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OnTheSample_MatchesTheHandWorkedExpectedMarts));

        var summary = await RunAsync(db, Path.Combine(TestDatabase.RepoRoot, "seeds", "sample"));

        Assert.NotNull(summary.Verification);
        Assert.Equal(MartCatalog.Names.Count, summary.Verification!.Count);
        foreach (var mart in summary.Verification)
        {
            Assert.True(mart.Matches, $"{mart.Mart}: {mart.Problem} missing: {string.Join(" / ", mart.Missing)} unexpected: {string.Join(" / ", mart.Unexpected)}");
        }
        Assert.All(summary.Converted, c => Assert.Equal(c.Lines, c.Records + c.Rejected + c.Blank));
    }

    [Fact]
    public async Task Run_OnAnEmptyFolder_FailsBeforeMigratingSayingWhichNamesAreExpected()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OnAnEmptyFolder_FailsBeforeMigratingSayingWhichNamesAreExpected));
        var empty = Directory.CreateTempSubdirectory("empty-").FullName;

        var error = await Assert.ThrowsAsync<Core.WarehouseException>(() => RunAsync(db, empty));

        Assert.Equal($"no recognised input in {empty} (it is empty): expected {InputDiscovery.RecognisedNames}", error.Message);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from information_schema.schemata where schema_name = 'staging'"));
        Directory.Delete(empty);
    }

    [Fact]
    public async Task Run_ListsUnrecognisedFilesAsSkipped()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_ListsUnrecognisedFilesAsSkipped));
        var input = Directory.CreateTempSubdirectory("input-").FullName;
        File.WriteAllText(Path.Combine(input, "notes.md"), "not data");
        File.WriteAllText(Path.Combine(input, "http_log_small.txt"), "2019-08-27T00:07:05+00:00 GET /campaigns/1 u1\n");

        var summary = await RunAsync(db, input);

        Assert.Equal([new SkippedInput("notes.md", InputDiscovery.UnrecognisedNameOrContent)], summary.Skipped);
        Assert.Equal(1, summary.StagingRows["http_log"]);
        Directory.Delete(input, recursive: true);
    }
}

using Npgsql;
using Warehouse.Core;
using Warehouse.Core.Generate;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Incremental;

/// <summary>
/// A full refresh split into buckets of users on several connections (issue 16): the split never changes a mart, a
/// failed bucket publishes nothing, and a second refresh waits for the first.
/// </summary>
[Trait("Speed", "slow")] // scale: the real data sets refreshed in several bucket splits
public sealed class BucketRefreshTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("buckets-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>Every event of core.events that has a user, with every column, as core.sessionized_events shows it.</summary>
    private const string EventColumns = """
        source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id,
        properties, product_id, user_agent, ip, browser_family, os_family, device_family
        """;

    public static TheoryData<string> DataSets => ["sample", "generated", "perx"];

    [Theory]
    [MemberData(nameof(DataSets))]
    public async Task Marts_ForOneTwoAndEightJobs_AreIdenticalToTheIncrementalBuild(string dataSet)
    {
        var input = InputFor(dataSet);
        var db = await TestDatabase.CreateMigratedAsync("buckets_" + dataSet);
        var feeder = new BatchFeeder(db, _work);
        // one file at a time, each followed by a refresh: the first is full, the later ones incremental
        foreach (var batch in BatchFeeder.WholeFiles(input))
        {
            await feeder.FeedAsync(batch);
        }
        var incremental = await AllRowsAsync(feeder, db);
        Assert.NotEmpty(incremental["core.sessions"]);

        foreach (var jobs in new[] { 1, 2, 8 })
        {
            var result = await new Refresher(db).RefreshAsync(new RefreshOptions { Full = true, Jobs = jobs });

            Assert.Equal((true, jobs), (result.Full, result.Buckets));
            var marts = await AllRowsAsync(feeder, db);
            foreach (var (name, rows) in incremental)
            {
                Assert.True(rows.SequenceEqual(marts[name]),
                    $"{dataSet}, {jobs} jobs: {name} differs: {Difference(rows, marts[name])}");
            }
        }
    }

    [Fact]
    public async Task Refresh_WhenABucketFails_ReadersKeepThePreviousMarts_AndTheNextRefreshIsExact()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Refresh_WhenABucketFails_ReadersKeepThePreviousMarts_AndTheNextRefreshIsExact));
        var feeder = new BatchFeeder(db, _work);
        var generated = InputFor("generated");
        var files = BatchFeeder.WholeFiles(generated);
        foreach (var batch in files.Take(2))
        {
            await feeder.FeedAsync(batch);
        }
        var before = await AllRowsAsync(feeder, db);

        // The rest is loaded, then a full refresh whose bucket 1 loses its connection just before it commits: a real
        // fault, from the server's side, after bucket 0 may already have committed its partition.
        foreach (var batch in files.Skip(2))
        {
            await feeder.LoadAsync(batch);
        }
        var failing = new RefreshOptions
        {
            Full = true,
            Jobs = 2,
            BeforeBucketCommit = async (bucket, ct) =>
            {
                if (bucket == 1)
                {
                    await TestDatabase.ExecuteAsync(db,
                        """
                        select pg_terminate_backend(pid) from pg_stat_activity
                        where application_name = 'warehouse refresh bucket 1' and datname = current_database()
                        """);
                }
            },
        };
        var error = await Assert.ThrowsAsync<WarehouseException>(() => new Refresher(db).RefreshAsync(failing));

        Assert.Contains("nothing was published", error.Message);
        Assert.Equal(before, await AllRowsAsync(feeder, db));

        // the state still says what the previous refresh took in, so this one takes in the rest incrementally
        var next = await new Refresher(db).RefreshAsync(new RefreshOptions { Jobs = 2 });

        Assert.False(next.Full);
        var expectedDb = await TestDatabase.CreateMigratedAsync("buckets_after_failure_expected");
        var expected = new BatchFeeder(expectedDb, _work);
        foreach (var batch in files)
        {
            await expected.LoadAsync(batch);
        }
        await new Refresher(expectedDb).RefreshAsync(new RefreshOptions { Jobs = 1 });
        Assert.Equal(await AllRowsAsync(expected, expectedDb), await AllRowsAsync(feeder, db));
        // and the partitions the failed refresh had made are gone: only the default one remains
        Assert.Equal(5L, await TestDatabase.ScalarAsync<long>(db, """
            select count(*) from pg_inherits
            where inhparent in (cast('core.fct_sessionized_events_this_run' as regclass),
                cast('core.fct_sessions_this_run' as regclass), cast('core.fct_http_sessions_this_run' as regclass),
                cast('core.fct_campaign_reward_attribution_this_run' as regclass),
                cast('core.fct_campaign_session_views_this_run' as regclass))
            """));
    }

    [Fact]
    public async Task Refresh_WhileAnotherRefreshRuns_SaysItIsWaiting_ThenFinishes()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Refresh_WhileAnotherRefreshRuns_SaysItIsWaiting_ThenFinishes));
        var feeder = new BatchFeeder(db, _work);
        foreach (var batch in BatchFeeder.WholeFiles(InputFor("sample")))
        {
            await feeder.LoadAsync(batch);
        }
        // the lock a running refresh holds, taken by hand
        await using var other = new NpgsqlConnection(db);
        await other.OpenAsync();
        await using var otherTransaction = await other.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("lock table core.refresh_state in exclusive mode", other, otherTransaction))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }
        var waiting = new TaskCompletionSource();
        var progress = new Core.Pipeline.InlineProgress<string>(step =>
        {
            if (step == "wait for another refresh")
            {
                waiting.TrySetResult();
            }
        });

        var refresh = new Refresher(db).RefreshAsync(new RefreshOptions { Jobs = 2, Progress = progress });
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(refresh.IsCompleted);
        await otherTransaction.RollbackAsync();
        var result = await refresh.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.Full);
        Assert.True(result.SessionsWritten > 0);
        Assert.Equal("wait for another refresh", result.Steps[0].Step);
    }

    [Fact]
    public async Task Publish_WhileAReaderHoldsOneLiveTable_NeitherBlocksTheReaderNorDeadlocks()
    {
        // A reader transaction that has read one mart and then reads another: a publish that held the second table's
        // lock while waiting for the first would deadlock with it (and be the one PostgreSQL aborts, half the time).
        var db = await TestDatabase.CreateMigratedAsync(nameof(Publish_WhileAReaderHoldsOneLiveTable_NeitherBlocksTheReaderNorDeadlocks));
        var feeder = new BatchFeeder(db, _work);
        foreach (var batch in BatchFeeder.WholeFiles(InputFor("sample")))
        {
            await feeder.FeedAsync(batch);
        }
        var sessionsBefore = await TestDatabase.ScalarAsync<long>(db, "select count(*) from core.sessions");
        await using var reader = new NpgsqlConnection(db);
        await reader.OpenAsync();
        await using var readerTransaction = await reader.BeginTransactionAsync();
        await using (var first = new NpgsqlCommand("select count(*) from marts.campaign_performance", reader, readerTransaction))
        {
            await first.ExecuteScalarAsync();
        }
        var publishWaits = new TaskCompletionSource();
        var progress = new Core.Pipeline.InlineProgress<string>(step =>
        {
            if (step.StartsWith("publish: waiting for readers", StringComparison.Ordinal))
            {
                publishWaits.TrySetResult();
            }
        });

        var refresh = new Refresher(db).RefreshAsync(new RefreshOptions { Full = true, Jobs = 2, Progress = progress });
        await publishWaits.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await using var second = new NpgsqlCommand("select count(*) from core.sessions", reader, readerTransaction);
        var sessionsSeen = (long)(await second.ExecuteScalarAsync().WaitAsync(TimeSpan.FromSeconds(10)))!;
        await readerTransaction.CommitAsync();
        var result = await refresh.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(sessionsBefore, sessionsSeen);
        Assert.True(result.Full);
        Assert.Equal(sessionsBefore, await TestDatabase.ScalarAsync<long>(db, "select count(*) from core.sessions"));
    }

    [Fact]
    public async Task SessionizedEvents_CarryEveryColumnOfTheirStagingRow()
    {
        // The materialised events keep only what the rules read; core.sessionized_events joins the rest back. Every
        // event with a user must come back once with all its columns, whatever the source, and nothing else.
        var db = await TestDatabase.CreateMigratedAsync(nameof(SessionizedEvents_CarryEveryColumnOfTheirStagingRow));
        var feeder = new BatchFeeder(db, _work);
        foreach (var batch in BatchFeeder.WholeFiles(InputFor("generated")))
        {
            await feeder.FeedAsync(batch);
        }

        var events = await TestDatabase.ScalarAsync<long>(db, "select count(*) from core.events where user_id is not null");
        var sessionized = await TestDatabase.ScalarAsync<long>(db, "select count(*) from core.sessionized_events");
        var missing = await TestDatabase.ScalarAsync<long>(db, $"""
            select count(*) from (
                select {EventColumns} from core.events where user_id is not null
                except all
                select {EventColumns} from core.sessionized_events
            ) as missing
            """);
        var extra = await TestDatabase.ScalarAsync<long>(db, $"""
            select count(*) from (
                select {EventColumns} from core.sessionized_events
                except all
                select {EventColumns} from core.events where user_id is not null
            ) as extra
            """);

        Assert.True(events > 5_000, $"{events} events");
        Assert.Equal(events, sessionized);
        Assert.Equal((0L, 0L), (missing, extra));
        Assert.True(await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from core.sessionized_events where source = 'webshop_events' and properties is not null") > 0);
    }

    private string InputFor(string dataSet)
    {
        switch (dataSet)
        {
            case "sample":
                return Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");
            case "perx":
                return Path.Combine(TestDatabase.SharedData, "perx");
            default:
                // ~20k events: 5,000 in each of the four formats, with duplicates, exact-threshold gaps and bad lines
                var folder = Path.Combine(_work, "generated");
                if (!Directory.Exists(folder))
                {
                    DataGenerator.Generate(new GenerateOptions(5_000, 600, 5, GenerateOptions.AllSources, folder));
                }
                return folder;
        }
    }

    /// <summary>The marts, core.sessions and every column of core.sessionized_events, as sorted text rows.</summary>
    private static async Task<Dictionary<string, List<string>>> AllRowsAsync(BatchFeeder feeder, string db)
    {
        var rows = await feeder.MartsAsync();
        rows["core.sessionized_events (every column)"] = await BatchFeeder.RowsAsync(db, "select * from core.sessionized_events");
        return rows;
    }

    private static string Difference(List<string> expected, List<string> actual)
    {
        var missing = expected.Except(actual).Take(3).ToList();
        var extra = actual.Except(expected).Take(3).ToList();
        return $"{expected.Count} rows expected, {actual.Count} found; missing [{string.Join("; ", missing)}], extra [{string.Join("; ", extra)}]";
    }
}

using System.Diagnostics;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Migrations;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Load;

/// <summary>
/// What a command reported as done survives a crash of the server right after: the embedded cluster runs with
/// synchronous_commit off, so a load or refresh must commit durably itself. Each test runs its own cluster, killed with
/// SIGKILL (server and every backend) and started again.
/// </summary>
[Trait("Speed", "slow")] // PostgreSQL clusters of its own, killed and started again
public sealed class DurabilityTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"warehouse-crash-{Guid.NewGuid():N}");
    private readonly string _files = Directory.CreateTempSubdirectory("crash-files-").FullName;
    // The WAL writer would flush an asynchronous commit within 0.2 s by default; at its slowest the test cannot be lucky.
    private EmbeddedPostgres _cluster = null!;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _cluster = new EmbeddedPostgres(_root, ["wal_writer_delay=10000ms", "max_connections=40"]);
        _db = ConnectionUrl.ToConnectionString(_cluster.Start());
        await new MigrationRunner(_db, new MigrationOptions { Directory = TestDatabase.MigrationsDirectory }).MigrateAsync(TextWriter.Null);
    }

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            _cluster.Stop();
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
            Directory.Delete(_files, recursive: true);
        }
        return Task.CompletedTask;
    }

    /// <summary>SIGKILL to the postmaster and all its processes, then a normal start (crash recovery replays the WAL).</summary>
    private void CrashAndRestart()
    {
        NpgsqlConnection.ClearAllPools();
        var pid = int.Parse(File.ReadLines(Path.Combine(_root, "data", "postmaster.pid")).First());
        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill(entireProcessTree: true);
            postmaster.WaitForExit();
        }
        _db = ConnectionUrl.ToConnectionString(_cluster.Start());
    }

    private string HttpLogAvro(int users) => TestFiles.HttpLogAvro(_files, $"{Guid.NewGuid():N}.avro",
        Enumerable.Range(0, 3000).Select(i => $"2019-08-27T{i / 3600 % 24:00}:{i / 60 % 60:00}:{i % 60:00}Z GET /campaigns/{i % 50} u{i % users}").ToArray());

    [Fact]
    public async Task Load_ThatReturned_SurvivesAServerCrashRightAfter()
    {
        var loaded = await new StagingLoader(_db).LoadAvroAsync(HttpLogAvro(users: 40));

        CrashAndRestart();

        Assert.Equal(3000, loaded.Rows);
        Assert.Equal(3000, await TestDatabase.ScalarAsync<long>(_db, "select count(*) from staging.http_log"));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(_db, "select count(*) from staging.loaded_files"));
    }

    [Theory]
    [InlineData(false)] // incremental: one transaction
    [InlineData(true)]  // full: buckets on their own connections, then the publish
    public async Task Refresh_ThatReturned_SurvivesAServerCrashRightAfter(bool full)
    {
        var refresher = new Refresher(_db);
        if (!full)
        {
            await new StagingLoader(_db).LoadAvroAsync(HttpLogAvro(users: 40));
            await refresher.RefreshAsync(new RefreshOptions { Jobs = 1 });
            CrashAndRestart();
            refresher = new Refresher(_db);
        }
        await new StagingLoader(_db).LoadAvroAsync(HttpLogAvro(users: 70));
        var result = await refresher.RefreshAsync(new RefreshOptions { Jobs = 2, Full = full });
        var sessions = await TestDatabase.ScalarAsync<long>(_db, "select count(*) from core.sessions");

        CrashAndRestart();

        Assert.Equal(full, result.Full);
        Assert.True(sessions > 0);
        Assert.Equal(sessions, await TestDatabase.ScalarAsync<long>(_db, "select count(*) from core.sessions"));
        Assert.Equal(full ? 1 : 2, await TestDatabase.ScalarAsync<long>(_db, "select max(loaded_through_load_id) from core.refresh_state"));
    }
}

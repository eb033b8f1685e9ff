using Npgsql;
using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Portability;

/// <summary>
/// The lock-table path Redshift uses instead of advisory locks, run against PostgreSQL (which supports the same LOCK
/// statement): two runners at once apply every script exactly once, and a second holder waits for the first.
/// </summary>
public sealed class LockTableMigrationLockTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lock-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Script(string name, string text) => File.WriteAllText(Path.Combine(_folder, name), text);

    private MigrationRunner Runner(string db) =>
        new(db, new MigrationOptions { Directory = _folder, Lock = new LockTableMigrationLock() });

    [Fact]
    public async Task Migrate_TwoRunnersWithLockTableAtOnce_ApplyEachScriptExactlyOnce()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_TwoRunnersWithLockTableAtOnce_ApplyEachScriptExactlyOnce));
        // Not idempotent on purpose: a second application would fail on the primary key, so interleaving cannot hide.
        Script("V0001__create.sql", "create table items (id int primary key);");
        Script("V0002__slow_insert.sql", "select pg_sleep(1); insert into items values (1);");
        Script("R__view.sql", "drop view if exists items_view; create view items_view as select id from items;");

        var first = Runner(db).MigrateAsync(TextWriter.Null);
        var second = Runner(db).MigrateAsync(TextWriter.Null);
        var applied = await Task.WhenAll(first, second);

        Assert.Equal(3, applied.Sum(a => a.Count));
        Assert.Contains(applied, a => a.Count == 0); // the runner that waited found nothing left to do
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from items"));
        Assert.Equal(3L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from warehouse.schema_history where success"));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from pg_locks where relation = 'warehouse.migration_lock'::regclass"));
    }

    [Fact]
    public async Task Acquire_WhileAnotherHolderHasTheLock_WaitsUntilItIsReleased()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Acquire_WhileAnotherHolderHasTheLock_WaitsUntilItIsReleased));
        await using var connectionA = new NpgsqlConnection(db);
        await using var connectionB = new NpgsqlConnection(db);
        await connectionA.OpenAsync();
        await connectionB.OpenAsync();
        var migrationLock = new LockTableMigrationLock();

        var held = await migrationLock.AcquireAsync(db, connectionA, CancellationToken.None);
        var waiting = migrationLock.AcquireAsync(db, connectionB, CancellationToken.None);
        var finishedEarly = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(700))) == waiting;
        await held.DisposeAsync();
        await using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(finishedEarly, "the second holder got the lock while the first still held it");
    }

    [Theory]
    [InlineData("40001", "could not serialize access due to concurrent update", true)]
    [InlineData("XX000", "1023", true)] // Redshift: "ERROR: 1023 DETAIL: Serializable isolation violation on table ..."
    [InlineData("XX000", "Serializable isolation violation on table - 100386, transactions forming the cycle are: 1, 2", true)]
    [InlineData("23505", "duplicate key value violates unique constraint \"pg_type_typname_nsp_index\"", true)]
    [InlineData("42P01", "relation \"warehouse.migration_lock\" does not exist", false)]
    [InlineData("42501", "permission denied for schema warehouse", false)]
    public void IsRetryable_TellsSerializationAndCreationRacesFromRealErrors(string sqlState, string message, bool retryable)
    {
        var error = new PostgresException(message, "ERROR", "ERROR", sqlState);

        Assert.Equal(retryable, LockTableMigrationLock.IsRetryable(error));
    }
}

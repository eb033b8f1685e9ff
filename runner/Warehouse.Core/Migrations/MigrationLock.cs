using Npgsql;
using Warehouse.Core.Database;

namespace Warehouse.Core.Migrations;

/// <summary>Keeps two migration runners on one database from interleaving: the second waits until the first is done.</summary>
public interface IMigrationLock
{
    /// <summary>Waits for the lock; disposing the result releases it.</summary>
    Task<IAsyncDisposable> AcquireAsync(string connectionString, NpgsqlConnection connection, CancellationToken ct);
}

/// <summary>PostgreSQL: a session-level advisory lock on the runner's own connection.</summary>
public sealed class AdvisoryMigrationLock : IMigrationLock
{
    // Any constant works; it only has to be the same for every runner of this project.
    private const long Key = 0x57_41_52_45_48_4F; // "WAREHO"

    public async Task<IAsyncDisposable> AcquireAsync(string connectionString, NpgsqlConnection connection, CancellationToken ct)
    {
        await using (var command = new NpgsqlCommand($"select pg_advisory_lock({Key})", connection))
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        return new Release(async () =>
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({Key})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        });
    }

    private sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }
}

/// <summary>
/// Redshift has no advisory locks (https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-functions.html,
/// "Advisory lock functions"). Instead a second connection opens a transaction and takes
/// <c>LOCK warehouse.migration_lock</c> (https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html: it waits for other
/// holders and keeps the lock until the transaction ends), holds it while the runner works on its own connection, and
/// rolls back to release it. PostgreSQL supports the same statement, so this path is tested there with two runners.
///
/// Concurrent transactions on Redshift can fail with "ERROR: 1023 ... Serializable isolation violation"
/// (https://docs.aws.amazon.com/redshift/latest/dg/c_serial_isolation-serializable-isolation-troubleshooting.html advises
/// retrying); PostgreSQL's equivalents are SQLSTATE 40001 and, for two runners creating the lock table at once, a
/// duplicate object error. Those are retried with exponential backoff; anything else fails at once.
/// </summary>
public sealed class LockTableMigrationLock(int maxAttempts = 8, TimeSpan? firstBackoff = null) : IMigrationLock
{
    private const string SetupSql = """
        create schema if not exists warehouse;
        create table if not exists warehouse.migration_lock (lock_name varchar(32) not null);
        """;

    private readonly TimeSpan _firstBackoff = firstBackoff ?? TimeSpan.FromMilliseconds(200);

    public async Task<IAsyncDisposable> AcquireAsync(string connectionString, NpgsqlConnection connection, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlConnection? holder = null;
            try
            {
                await using (var setup = new NpgsqlCommand(SetupSql, connection))
                {
                    await setup.ExecuteNonQueryAsync(ct);
                }
                holder = await Connections.OpenAsync(connectionString, ct);
                var transaction = await holder.BeginTransactionAsync(ct);
                await using (var lockCommand = new NpgsqlCommand("lock warehouse.migration_lock", holder, transaction))
                {
                    await lockCommand.ExecuteNonQueryAsync(ct);
                }
                return new Held(holder, transaction);
            }
            catch (PostgresException e) when (IsRetryable(e) && attempt < maxAttempts)
            {
                if (holder is not null)
                {
                    await holder.DisposeAsync();
                }
                await Task.Delay(_firstBackoff * Math.Pow(2, attempt - 1), ct);
            }
            catch
            {
                if (holder is not null)
                {
                    await holder.DisposeAsync();
                }
                throw;
            }
        }
    }

    /// <summary>Serialization failures (PostgreSQL 40001, Redshift's error 1023) and races creating the lock table.</summary>
    public static bool IsRetryable(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable
            or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DeadlockDetected
        || e.MessageText.StartsWith("1023", StringComparison.Ordinal)
        || e.MessageText.Contains("Serializable isolation violation", StringComparison.OrdinalIgnoreCase);

    private sealed class Held(NpgsqlConnection holder, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            finally
            {
                await transaction.DisposeAsync();
                await holder.DisposeAsync();
            }
        }
    }
}

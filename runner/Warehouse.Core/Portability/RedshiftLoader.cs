using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Npgsql;
using Warehouse.Core.Avro;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Migrations;

namespace Warehouse.Core.Portability;

/// <summary>
/// Runs the COPY of a <see cref="RedshiftLoadPlan"/> on the loader's connection, inside its transaction. On Redshift
/// that is the plan's COPY text (<see cref="RedshiftS3Copy"/>); the tests stand in for it on PostgreSQL, which has no
/// <c>FORMAT AS AVRO</c>.
/// </summary>
public interface IRedshiftCopyExecutor
{
    Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RedshiftLoadPlan plan, CancellationToken ct);
}

/// <summary>Redshift itself: sends the plan's COPY statement, which makes the cluster read the object from S3.</summary>
public sealed class RedshiftS3Copy : IRedshiftCopyExecutor
{
    public async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RedshiftLoadPlan plan, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(plan.CopySql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>What loading one file through S3 did, and every statement sent for it, in order.</summary>
public sealed record RedshiftLoadResult(LoadResult Load, string S3Uri, UploadOutcome Upload, IReadOnlyList<string> Statements);

/// <summary>
/// <c>warehouse load --target redshift</c>: stages each Avro file in S3 under its content hash, then runs the plan's
/// statements in one transaction: lock the manifest, check it, take the next load number, COPY, record the manifest
/// row, number the copied rows, commit. A failure at any
/// point rolls back both the rows and the manifest row, so running the same command again is always safe: it finds the
/// object already uploaded, and either the manifest row (nothing to do) or no rows of the file (load it).
/// Every statement is parameter-free text from <see cref="RedshiftCopy"/> (the issue asks for that on Redshift).
/// </summary>
public sealed class RedshiftLoader(string connectionString, IAmazonS3 s3, S3Target target, IRedshiftCopyExecutor copy, TextWriter log)
{
    /// <summary>Attempts of the transaction when Redshift reports a serializable isolation violation (error 1023).</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public async Task<RedshiftLoadResult> LoadAsync(string path, CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var fileName = Path.GetFileName(path);
        var source = SourceOf(path);
        var plan = RedshiftCopy.Plan(target, source, fileName, LoadIdentity.OfAvroFile(path).Hash);
        var statements = new List<string>();

        await using var connection = await Connections.OpenAsync(connectionString, ct);
        // Checked before the upload too, so a file loaded earlier costs one query, not a trip to S3.
        if (await ScalarAsync(connection, null, plan.AlreadyLoadedSql, statements, ct) > 0)
        {
            return Done(0, alreadyLoaded: true, UploadOutcome.NotNeeded);
        }

        var upload = await S3Staging.UploadAsync(s3, target.Bucket, plan.S3Key, path, ct);
        log.WriteLine(upload == UploadOutcome.Uploaded
            ? $"{fileName}: uploaded to {plan.S3Uri}"
            : $"{fileName}: {plan.S3Uri} is already there (same content), upload skipped");

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var rows = await CopyOnceAsync(connection, plan, statements, ct);
                return rows is { } loaded ? Done(loaded, alreadyLoaded: false, upload) : Done(0, alreadyLoaded: true, upload);
            }
            catch (PostgresException e) when (LockTableMigrationLock.IsRetryable(e) && attempt < MaxAttempts)
            {
                log.WriteLine($"{fileName}: {e.MessageText}; retrying the load (attempt {attempt + 1} of {MaxAttempts})");
                await Task.Delay(FirstBackoff * Math.Pow(2, attempt - 1), ct);
            }
            catch (PostgresException e)
            {
                throw new WarehouseException($"{fileName}: loading {plan.S3Uri} failed: {e.MessageText} (SQLSTATE {e.SqlState}); " +
                    "nothing of this file was loaded" + (e.MessageText.Contains("stl_load_errors", StringComparison.OrdinalIgnoreCase)
                        ? " (details in stl_load_errors)" : ""), e);
            }
            catch (NpgsqlException e) when (e is not PostgresException)
            {
                // Lost during COMMIT, the load may or may not have committed: the manifest knows, so running again is safe.
                throw new WarehouseException($"{fileName}: the connection to the database failed while loading {plan.S3Uri}: {e.Message}; " +
                    "run the same command again (a load that committed is found in the manifest and not repeated)", e);
            }
        }

        RedshiftLoadResult Done(long rows, bool alreadyLoaded, UploadOutcome outcome) =>
            new(new LoadResult(fileName, source.Name, rows, alreadyLoaded, stopwatch.Elapsed), plan.S3Uri, outcome, statements);
    }

    /// <summary>One transaction; null when another loader committed the same file first (found under the lock).</summary>
    private async Task<long?> CopyOnceAsync(NpgsqlConnection connection, RedshiftLoadPlan plan, List<string> statements, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        statements.Add("begin;");
        await ExecuteAsync(connection, transaction, plan.LockSql, statements, ct);
        if (await ScalarAsync(connection, transaction, plan.AlreadyLoadedSql, statements, ct) > 0)
        {
            await transaction.RollbackAsync(ct);
            statements.Add("rollback;");
            return null;
        }
        var loadId = await ScalarAsync(connection, transaction, plan.NextLoadIdSql, statements, ct);
        statements.Add(plan.CopySql);
        await copy.ExecuteAsync(connection, transaction, plan, ct);
        await ExecuteAsync(connection, transaction, plan.ManifestSql(loadId), statements, ct);
        await ExecuteAsync(connection, transaction, plan.LoadIdSql(loadId), statements, ct);
        var rows = await ScalarAsync(connection, transaction, plan.RowCountSql, statements, ct);
        await transaction.CommitAsync(ct);
        statements.Add("commit;");
        return rows;
    }

    /// <summary>The source the file's Avro record names; anything else is refused before it reaches S3.</summary>
    private static Source SourceOf(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var reader = new AvroContainerReader(stream, Path.GetFileName(path));
        return Sources.ByAvroRecordName(reader.Schema.Fullname)
            ?? throw new WarehouseException($"{Path.GetFileName(path)}: Avro record {reader.Schema.Fullname} is not a known source " +
                $"(expected one of {string.Join(", ", Sources.All.Select(s => s.AvroRecordName))})");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, List<string> statements,
        CancellationToken ct)
    {
        statements.Add(sql);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, List<string> statements,
        CancellationToken ct)
    {
        statements.Add(sql);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Migrations;

namespace Warehouse.Core.Checks;

/// <summary>
/// The outcome of one data test: how many rows offend and a sample of them (column names and values), or the
/// database's error when its query could not run (a declared column that does not exist, say).
/// </summary>
public sealed record DataTestResult(DataTest Test, long FailingRows, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Sample, string? Error)
{
    public bool Passed => Error is null && FailingRows == 0;
}

/// <summary>Runs declared data tests against a database, one query each, one after the other on one connection.</summary>
public sealed class DataTestRunner(string connectionString)
{
    /// <summary>
    /// Runs every test declared in the migrations folder. A database the migrations never reached is one clear error
    /// rather than a failure per test.
    /// </summary>
    public async Task<IReadOnlyList<DataTestResult>> RunDeclaredAsync(MigrationOptions migrations, CancellationToken ct = default)
    {
        var tests = DataTestDeclarations.Load(migrations.Directory, migrations.Target);
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        // One row of the history rather than every migration's status: inside `warehouse run` the migrate step has just read those.
        if (!HistoryJournal.AnyApplied(connection.CreateCommand))
        {
            throw new WarehouseException("the database is not migrated, so there is nothing to check; run ./warehouse migrate first, with the same --database");
        }
        return await RunAsync(connection, tests, ct);
    }

    private static async Task<IReadOnlyList<DataTestResult>> RunAsync(NpgsqlConnection connection, IReadOnlyList<DataTest> tests, CancellationToken ct)
    {
        var results = new List<DataTestResult>();
        foreach (var test in tests)
        {
            results.Add(await RunOneAsync(connection, test, ct));
        }
        return results;
    }

    private static async Task<DataTestResult> RunOneAsync(NpgsqlConnection connection, DataTest test, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(test.Sql, connection) { CommandTimeout = 0 };
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            // Every column but the trailing count is the offending row's.
            var columns = Enumerable.Range(0, reader.FieldCount - 1).Select(reader.GetName).ToList();
            var sample = new List<object?[]>();
            long failing = 0;
            while (await reader.ReadAsync(ct))
            {
                var row = new object?[reader.FieldCount];
                reader.GetValues(row!);
                failing = Convert.ToInt64(row[^1], System.Globalization.CultureInfo.InvariantCulture);
                sample.Add([.. row[..^1].Select(v => v is DBNull ? null : v)]);
            }
            return new DataTestResult(test, failing, columns, sample, null);
        }
        catch (PostgresException e) when (!ct.IsCancellationRequested && e.SqlState != PostgresErrorCodes.QueryCanceled)
        {
            // Autocommit: a failed query leaves the connection usable, so the other tests still run.
            return new DataTestResult(test, 0, [], [], e.MessageText);
        }
    }
}

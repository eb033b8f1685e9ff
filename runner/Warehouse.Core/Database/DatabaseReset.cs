using Npgsql;

namespace Warehouse.Core.Database;

/// <summary>Empties a database of everything the warehouse put there, so the next run migrates and loads anew.</summary>
public static class DatabaseReset
{
    /// <summary>The warehouse's schemas: the data layers and <c>warehouse</c> (the migration history and lock).</summary>
    public static IReadOnlyList<string> Schemas { get; } = ["staging", "core", "marts", "warehouse"];

    /// <summary>Drops the warehouse's schemas with everything in them, in one transaction. Other schemas are left alone.</summary>
    public static async Task ResetAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var drop = new NpgsqlCommand($"drop schema if exists {string.Join(", ", Schemas)} cascade", connection, transaction))
        {
            await drop.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }
}

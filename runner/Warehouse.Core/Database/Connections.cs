using System.Net.Sockets;
using Npgsql;

namespace Warehouse.Core.Database;

/// <summary>Opens connections and turns "cannot connect" into one clear line without credentials.</summary>
public static class Connections
{
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct = default)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            var reason = e is PostgresException pg ? pg.MessageText : e.InnerException?.Message ?? e.Message;
            throw new WarehouseException($"cannot connect to the database at {ConnectionUrl.Describe(connectionString)}: {reason}", e);
        }
    }

    /// <summary>
    /// Commits so that the transaction is on disk when this returns, whatever the server's synchronous_commit (the embedded
    /// cluster runs with it off for speed): what a command reported as done survives a crash. PostgreSQL only; a Redshift
    /// commit is always durable and does not know the setting.
    /// </summary>
    public static async Task CommitDurablyAsync(NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using (var durable = new NpgsqlCommand("set local synchronous_commit = on", transaction.Connection, transaction))
        {
            await durable.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }
}

using Npgsql;
using Warehouse.Core.Database;

namespace Warehouse.Api;

/// <summary>
/// The database role the API connects as (created by migrations/V0100__api_reader_role.sql): it may only read the marts
/// (and the migration history, for /health), so no request can change data whatever the code above it does.
/// </summary>
public static class ApiRole
{
    public const string Name = "warehouse_api";

    /// <summary>Set by the operator when the server asks for passwords; the runner then gives the role this password.</summary>
    public const string PasswordVariable = "WAREHOUSE_API_PASSWORD";

    /// <summary>The migrating user's connection with the user swapped for the API role (same host, port and database).</summary>
    public static string ConnectionString(string ownerConnectionString, string? password)
    {
        var builder = new NpgsqlConnectionStringBuilder(ownerConnectionString)
        {
            Username = Name,
            Password = string.IsNullOrEmpty(password) ? null : password,
            ApplicationName = "warehouse-api",
            // A request must not hang on a runaway query; the marts answer in well under this on the sample sizes.
            CommandTimeout = 30,
            Timeout = 10,
        };
        return builder.ConnectionString;
    }

    /// <summary>Gives the role its password, as the migrating user. The server quotes the literal (format %L).</summary>
    /// <remarks>
    /// The role is one catalog row for the whole server: an ALTER of it from another database or process at the same
    /// moment fails this one with "tuple concurrently updated". Both want the role to have a password, so it is tried again.
    /// </remarks>
    public static async Task SetPasswordAsync(string ownerConnectionString, string password, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AlterPasswordAsync(ownerConnectionString, password, ct);
                return;
            }
            catch (PostgresException e) when (IsConcurrentUpdate(e) && attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt * Random.Shared.Next(1, 4)), ct);
            }
        }
    }

    /// <summary>On a connection of its own: Npgsql closes the connection on which the ALTER failed.</summary>
    private static async Task AlterPasswordAsync(string ownerConnectionString, string password, CancellationToken ct)
    {
        await using var connection = await Connections.OpenAsync(ownerConnectionString, ct);
        string statement;
        await using (var quote = new NpgsqlCommand("select format('alter role %I with password %L', @role, @password)", connection))
        {
            quote.Parameters.AddWithValue("role", Name);
            quote.Parameters.AddWithValue("password", password);
            statement = (string)(await quote.ExecuteScalarAsync(ct))!;
        }
        await using var alter = new NpgsqlCommand(statement, connection);
        await alter.ExecuteNonQueryAsync(ct);
    }

    private const int MaxAttempts = 20;

    private static bool IsConcurrentUpdate(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.InternalError && e.MessageText.StartsWith("tuple concurrently", StringComparison.Ordinal);
}

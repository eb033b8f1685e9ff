using Warehouse.Api;
using Warehouse.Core;
using Warehouse.Core.Database;

namespace Warehouse.Cli;

/// <summary>
/// The read-only role (the API's, analysts' and BI tools'): its password is WAREHOUSE_API_PASSWORD, or on the embedded
/// cluster, which asks every login for one, a generated password kept beside the cluster's. Either is set on the role.
/// </summary>
internal static class ReadOnlyLogin
{
    /// <summary>Gives the role its password as the migrating user (<paramref name="owner"/>) and returns it; null: none.</summary>
    public static async Task<string?> GivePasswordAsync(string owner, bool embedded, CancellationToken ct)
    {
        var password = Environment.GetEnvironmentVariable(ApiRole.PasswordVariable);
        if (string.IsNullOrEmpty(password) && embedded)
        {
            password = DatabaseLocator.Embedded(GlobalOptions.ProjectRoot).Secret("api-password");
        }
        if (string.IsNullOrEmpty(password))
        {
            return null;
        }
        try
        {
            await ApiRole.SetPasswordAsync(owner, password, ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedObject)
        {
            throw new WarehouseException($"the read-only login {ApiRole.Name} is created by the migrations: run ./warehouse migrate (or run) first", e);
        }
        return password;
    }
}

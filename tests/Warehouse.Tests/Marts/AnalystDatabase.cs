using System.Globalization;
using Npgsql;
using Warehouse.Tests.Api;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Marts;

/// <summary>A database as an analyst reads it: hand-made staging rows refreshed once into the marts, read through the read-only login.</summary>
internal static class AnalystDatabase
{
    /// <summary>A migrated database holding the rows <paramref name="stagingSql"/> inserts, fully refreshed; returns the read-only login's connection string.</summary>
    public static async Task<string> CreateAsync(string prefix, string stagingSql) =>
        ApiTestData.ApiConnectionString(await ApiTestData.CreateDatabaseAsync(prefix, stagingSql));

    /// <summary>A query's rows in its order, each its values joined by commas: null as empty, a date as yyyy-MM-dd.</summary>
    public static async Task<List<string>> RowsAsync(string reader, string sql)
    {
        await using var connection = new NpgsqlConnection(reader);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var rowReader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await rowReader.ReadAsync())
        {
            rows.Add(string.Join(",", Enumerable.Range(0, rowReader.FieldCount)
                .Select(i => rowReader.GetValue(i) switch
                {
                    DBNull => "",
                    DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    var value => Convert.ToString(value, CultureInfo.InvariantCulture),
                })));
        }
        return rows;
    }
}

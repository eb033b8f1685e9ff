using Npgsql;
using Warehouse.Core.Database;

namespace Warehouse.Core.Marts;

/// <summary>A mart's rows as read from the database, with its column names.</summary>
public sealed record MartTable(string Name, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>Reads marts whole or filtered by time frame / source.</summary>
public sealed class MartReader(string connectionString)
{
    /// <param name="from">Only campaign_performance: sessions starting at or after this instant.</param>
    /// <param name="to">Only campaign_performance: sessions starting before this instant.</param>
    /// <param name="source">Only marts with a source column: rows of this source.</param>
    public async Task<MartTable> ReadAsync(string mart, DateTime? from = null, DateTime? to = null, string? source = null, CancellationToken ct = default)
    {
        MartCatalog.Require(mart);
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var command = new NpgsqlCommand { Connection = connection };
        var filters = new List<string>();
        if (from is not null || to is not null)
        {
            if (mart != "campaign_performance")
            {
                throw new WarehouseException("--from/--to apply to campaign_performance only");
            }
            if (from is not null)
            {
                filters.Add("session_start >= @from");
                command.Parameters.AddWithValue("from", DateTime.SpecifyKind(from.Value, DateTimeKind.Utc));
            }
            if (to is not null)
            {
                filters.Add("session_start < @to");
                command.Parameters.AddWithValue("to", DateTime.SpecifyKind(to.Value, DateTimeKind.Utc));
            }
        }
        if (source is not null)
        {
            if (mart is not ("sessions_by_key" or "daily_sessions"))
            {
                throw new WarehouseException("--source applies to sessions_by_key and daily_sessions only");
            }
            filters.Add("source = @source");
            command.Parameters.AddWithValue("source", source);
        }
        // The mart name comes from the fixed catalogue above, never from free text.
        command.CommandText = $"select * from marts.{mart}" + (filters.Count > 0 ? " where " + string.Join(" and ", filters) : "");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row.Select(v => v is DBNull ? null : v).ToArray());
        }
        return new MartTable(mart, columns, rows);
    }
}

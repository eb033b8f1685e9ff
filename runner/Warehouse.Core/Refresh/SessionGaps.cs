using System.Globalization;
using Npgsql;
using Warehouse.Core.Load;

namespace Warehouse.Core.Refresh;

/// <summary>Per-source session thresholds, stored in <c>core.session_gap_settings</c> so no SQL needs editing.</summary>
public static class SessionGaps
{
    /// <summary>Parses <c>SOURCE=SECONDS</c> (e.g. <c>http_log=300</c>).</summary>
    public static (string Source, int Seconds) Parse(string text)
    {
        var parts = text.Split('=', 2);
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            throw new WarehouseException($"--session-gap expects SOURCE=SECONDS with a positive whole number of seconds, got '{text}'");
        }
        return (Sources.ByName(parts[0].Trim()).Name, seconds);
    }

    public static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<(string Source, int Seconds)> gaps, CancellationToken ct)
    {
        foreach (var (source, seconds) in gaps)
        {
            // update-then-insert instead of ON CONFLICT, which Redshift lacks.
            await using var update = new NpgsqlCommand("""
                update core.session_gap_settings set gap_seconds = @seconds where source = @source;
                insert into core.session_gap_settings (source, gap_seconds)
                select @source, @seconds
                where not exists (select 1 from core.session_gap_settings where source = @source)
                """, connection, transaction);
            update.Parameters.AddWithValue("source", source);
            update.Parameters.AddWithValue("seconds", seconds);
            await update.ExecuteNonQueryAsync(ct);
        }
    }
}

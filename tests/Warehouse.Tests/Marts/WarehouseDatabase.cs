using System.Globalization;
using Npgsql;
using Warehouse.Core.Marts;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Marts;

/// <summary>
/// A migrated database of its own for one test, with helpers that insert hand-made rows straight into the staging
/// tables (no converter, no loader: these tests are about the SQL) and read views back in the verify text form.
/// Each insert helper numbers its rows' source_line from 1 in the order given, like lines of a raw file.
/// </summary>
internal sealed class WarehouseDatabase
{
    private WarehouseDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public static async Task<WarehouseDatabase> CreateAsync(string testName) =>
        new(await TestDatabase.CreateMigratedAsync(testName));

    /// <summary>HTTP log requests written as raw lines: <c>2019-08-27T10:00:00Z GET /campaigns/10 1001</c>.</summary>
    public async Task HttpLogAsync(params string[] lines)
    {
        await using var connection = await OpenToWriteAsync();
        for (var i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ');
            await ExecuteAsync(connection,
                "insert into staging.http_log values (@at, @method, @path, @user, 'http_log.txt', @line)",
                ("at", Utc(fields[0])), ("method", fields[1]), ("path", fields[2]), ("user", fields[3]), ("line", i + 1L));
        }
    }

    public async Task DeviceEventsAsync(params DeviceRow[] rows)
    {
        await using var connection = await OpenToWriteAsync();
        foreach (var r in rows)
        {
            await ExecuteAsync(connection,
                "insert into staging.device_events values (@id, @at, 'screen_view', @browser, @os, @device, 'device_events.jsonl', @line)",
                ("id", r.AnonymousId), ("at", Utc(r.At)), ("browser", r.Browser), ("os", r.Os), ("device", r.Device), ("line", r.Line));
        }
    }

    /// <summary>
    /// Access log requests (staging.access_log, as the combined format loads them), lines numbered from
    /// <paramref name="firstLine"/>; <paramref name="loadId"/> is the load they came in with (null: before loads were numbered).
    /// </summary>
    public async Task AccessLogAsync(AccessRow[] rows, long firstLine = 1, long? loadId = null)
    {
        await using var connection = await OpenToWriteAsync();
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            var target = r.Query is null ? r.Path : r.Path + "?" + r.Query;
            await ExecuteAsync(connection, """
                insert into staging.access_log (client_address, ident, auth_user, event_at, utc_offset_minutes, request, method,
                    path, query_string, protocol, status, response_bytes, referrer, user_agent, browser_family, os_family,
                    device_family, source_file, source_line, load_id)
                values (@client, null, @user, @at, 0, @request, @method, @path, @query, 'HTTP/1.1', @status, 512, @referrer,
                    @agent, null, null, null, 'access.log', @line, @load)
                """,
                ("client", r.Client), ("user", r.AuthUser), ("at", Utc(r.At)), ("request", $"{r.Method} {target} HTTP/1.1"),
                ("method", r.Method), ("path", r.Path), ("query", r.Query), ("status", (long)r.Status), ("referrer", r.Referrer),
                ("agent", r.Agent), ("line", firstLine + i), ("load", loadId));
        }
    }

    /// <summary>Adds campaign/reward pairs to the mapping.</summary>
    public async Task MappingAsync(params (string CampaignId, string RewardId)[] pairs)
    {
        await using var connection = await OpenToWriteAsync();
        foreach (var (campaign, reward) in pairs)
        {
            await ExecuteAsync(connection, "insert into staging.campaign_reward_mapping values (@campaign, @reward)",
                ("campaign", campaign), ("reward", reward));
        }
    }

    /// <summary>Sets a source's session threshold the way <c>--session-gap SOURCE=SECONDS</c> does.</summary>
    public async Task SetSessionGapAsync(string source, int seconds)
    {
        await using var connection = await OpenToWriteAsync();
        await SessionGaps.ApplyAsync(connection, null, [(source, seconds)], CancellationToken.None);
    }

    /// <summary>Any query's rows in the verify text form, in the query's order.</summary>
    public async Task<List<string>> RowsAsync(string sql)
    {
        if (!_refreshed)
        {
            await RefreshAsync();
            _refreshed = true;
        }
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            rows.Add(Line(values));
        }
        return rows;
    }

    /// <summary>
    /// The marts are materialised by a refresh; rows inserted here have no load id, so a full refresh (which takes in
    /// every staging row) runs before the first read after a write.
    /// </summary>
    private Task RefreshAsync() => new Refresher(ConnectionString).RefreshAsync(new RefreshOptions { Full = true });

    private static string Line(object?[] values) => string.Join(" | ", values.Select(MartValues.Format));

    private static DateTime Utc(string isoTimestamp) =>
        DateTimeOffset.Parse(isoTimestamp, CultureInfo.InvariantCulture, DateTimeStyles.None).UtcDateTime;

    private bool _refreshed;

    /// <summary>A connection for one of the write helpers above: the next read refreshes first.</summary>
    private Task<NpgsqlConnection> OpenToWriteAsync()
    {
        _refreshed = false;
        return OpenAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A device event with an explicit source_line, so tests can write lines out of file order.</summary>
internal sealed record DeviceRow(string AnonymousId, string At, long Line,
    string? Browser = "Chrome Mobile", string? Os = "Android", string? Device = "Generic Smartphone");

/// <summary>An access log request; the defaults are a person's browser on one address asking for a page.</summary>
internal sealed record AccessRow(string At, string Path, int Status = 200, string Client = "192.0.2.1",
    string? Agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", string? Referrer = null, string? Query = null,
    string? AuthUser = null, string Method = "GET");

using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Warehouse.Core.Avro;
using Warehouse.Core.Database;

namespace Warehouse.Core.Load;

/// <summary>
/// Loads Avro files and the campaign/reward mapping into the staging tables. A file is identified by the SHA-256 of its
/// bytes in <c>staging.loaded_files</c>: loading it again is a no-op. Rows and manifest entry are written in one
/// transaction, so a failure part-way leaves nothing behind.
/// </summary>
public sealed class StagingLoader(string connectionString)
{
    public const string MappingSource = "campaign_reward_mapping";

    public Task<LoadResult> LoadAvroAsync(string path, CancellationToken ct = default) => LoadAvroAsync(path, alsoInTransaction: null, ct);

    /// <summary>
    /// Loads an Avro file; <paramref name="alsoInTransaction"/> runs in the load's transaction after the rows are in
    /// (and only when the file was not loaded before), so a caller can record its own progress atomically with the load
    /// (warehouse replay does).
    /// </summary>
    public async Task<LoadResult> LoadAvroAsync(string path, Func<NpgsqlConnection, NpgsqlTransaction, long, CancellationToken, Task>? alsoInTransaction,
        CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var fileName = Path.GetFileName(path);
        var hash = FileHash.Sha256(path);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var reader = new AvroContainerReader(stream);
        var source = Sources.ByAvroRecordName(reader.Schema.FullName)
            ?? throw new WarehouseException($"{fileName}: Avro record {reader.Schema.FullName} is not a known source " +
                $"(expected one of {string.Join(", ", Sources.All.Select(s => s.AvroRecordName))})");

        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (await ClaimAsync(connection, transaction, hash, ct) is { } previous)
        {
            return new LoadResult(fileName, source.Name, 0, AlreadyLoaded: true, stopwatch.Elapsed) { };
        }
        var loadId = await NextLoadIdAsync(connection, transaction, ct);

        var columns = await ColumnTypesAsync(connection, source.StagingTable, ct);
        var fields = reader.Schema.Fields;
        var writers = fields.Select(f => columns.TryGetValue(f.Name, out var type)
                ? ValueWriter(f, type)
                : throw new WarehouseException($"{fileName}: field '{f.Name}' has no column in {source.StagingTable}"))
            .ToArray();
        // Every row carries its load's id: a refresh takes in the rows loaded since the previous refresh by it.
        var copy = $"copy {source.StagingTable} ({string.Join(", ", fields.Select(f => f.Name))}, load_id) from stdin (format binary)";
        long rows = 0;
        await using (var importer = await connection.BeginBinaryImportAsync(copy, ct))
        {
            foreach (var datum in reader.ReadRecords())
            {
                var record = (AvroRecord)datum!;
                await importer.StartRowAsync(ct);
                for (var i = 0; i < writers.Length; i++)
                {
                    await writers[i](importer, record[i], ct);
                }
                await importer.WriteAsync(loadId, NpgsqlDbType.Bigint, ct);
                rows++;
            }
            await importer.CompleteAsync(ct);
        }

        await RecordAsync(connection, transaction, fileName, hash, source.Name, rows, loadId, ct);
        if (alsoInTransaction is not null)
        {
            await alsoInTransaction(connection, transaction, rows, ct);
        }
        await transaction.CommitAsync(ct);
        return new LoadResult(fileName, source.Name, rows, AlreadyLoaded: false, stopwatch.Elapsed);
    }

    /// <summary>Loads <c>campaign_id,reward_id</c> pairs, adding only pairs not already present.</summary>
    public async Task<LoadResult> LoadMappingAsync(string path, CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var fileName = Path.GetFileName(path);
        var hash = FileHash.Sha256(path);
        var pairs = ReadMapping(path);

        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (await ClaimAsync(connection, transaction, hash, ct) is not null)
        {
            return new LoadResult(fileName, MappingSource, 0, AlreadyLoaded: true, stopwatch.Elapsed);
        }
        var loadId = await NextLoadIdAsync(connection, transaction, ct);
        await using (var create = new NpgsqlCommand(
            "create temporary table incoming_mapping (campaign_id varchar(64), reward_id varchar(64)) on commit drop", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        await using (var importer = await connection.BeginBinaryImportAsync("copy incoming_mapping (campaign_id, reward_id) from stdin (format binary)", ct))
        {
            foreach (var (campaign, reward) in pairs)
            {
                await importer.WriteRowAsync(ct, campaign, reward);
            }
            await importer.CompleteAsync(ct);
        }
        long added;
        // Pairs repeat in the real mapping (3,043 rows, 1,761 distinct pairs); the staging table keeps each pair once.
        await using (var insert = new NpgsqlCommand("""
            insert into staging.campaign_reward_mapping (campaign_id, reward_id)
            select distinct incoming.campaign_id, incoming.reward_id
            from incoming_mapping as incoming
            left join staging.campaign_reward_mapping as existing
                on existing.campaign_id = incoming.campaign_id and existing.reward_id = incoming.reward_id
            where existing.campaign_id is null
            """, connection, transaction))
        {
            added = await insert.ExecuteNonQueryAsync(ct);
        }
        await RecordAsync(connection, transaction, fileName, hash, MappingSource, added, loadId, ct);
        await transaction.CommitAsync(ct);
        return new LoadResult(fileName, MappingSource, added, AlreadyLoaded: false, stopwatch.Elapsed);
    }

    /// <summary>Reads and checks the mapping CSV; a malformed row is an error naming its line (the mapping is small and exact).</summary>
    public static List<(string Campaign, string Reward)> ReadMapping(string path)
    {
        var pairs = new List<(string, string)>();
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()?.Trim().TrimStart('\uFEFF');
        if (header != "campaign_id,reward_id")
        {
            throw new WarehouseException($"{Path.GetFileName(path)}:1: expected the header 'campaign_id,reward_id', found '{header}'");
        }
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var parts = line.Split(',');
            if (parts.Length != 2 || !IsId(parts[0].Trim()) || !IsId(parts[1].Trim()))
            {
                throw new WarehouseException($"{Path.GetFileName(path)}:{lineNumber}: expected 'campaign_id,reward_id', found '{line}'");
            }
            pairs.Add((parts[0].Trim(), parts[1].Trim()));
        }
        return pairs;
    }

    private static bool IsId(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// Takes the manifest lock and says whether this content was loaded before. The lock serialises concurrent loads,
    /// so two runs loading the same file cannot both pass the check.
    /// </summary>
    private static async Task<string?> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string hash, CancellationToken ct)
    {
        await using (var lockManifest = new NpgsqlCommand("lock table staging.loaded_files in share row exclusive mode", connection, transaction))
        {
            await lockManifest.ExecuteNonQueryAsync(ct);
        }
        await using var check = new NpgsqlCommand("select file_name from staging.loaded_files where file_hash = @hash", connection, transaction);
        check.Parameters.AddWithValue("hash", hash);
        return (string?)await check.ExecuteScalarAsync(ct);
    }

    /// <summary>
    /// The next load's id. Taken under the manifest lock of <see cref="ClaimAsync"/>, held until commit, so loads commit
    /// in id order and a refresh that has seen load n has seen every load before it.
    /// </summary>
    private static async Task<long> NextLoadIdAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var next = new NpgsqlCommand("select coalesce(max(load_id), 0) + 1 from staging.loaded_files", connection, transaction);
        return (long)(await next.ExecuteScalarAsync(ct))!;
    }

    private static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string fileName, string hash,
        string source, long rows, long loadId, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand("""
            insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id)
            values (@file_name, @hash, @source, @rows, statement_timestamp(), @load_id)
            """, connection, transaction);
        insert.Parameters.AddWithValue("load_id", loadId);
        insert.Parameters.AddWithValue("file_name", fileName);
        insert.Parameters.AddWithValue("hash", hash);
        insert.Parameters.AddWithValue("source", source);
        insert.Parameters.AddWithValue("rows", rows);
        await insert.ExecuteNonQueryAsync(ct);
    }

    private static async Task<Dictionary<string, string>> ColumnTypesAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        var parts = table.Split('.');
        await using var command = new NpgsqlCommand(
            "select column_name, data_type from information_schema.columns where table_schema = @schema and table_name = @table", connection);
        command.Parameters.AddWithValue("schema", parts[0]);
        command.Parameters.AddWithValue("table", parts[1]);
        var columns = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            columns[reader.GetString(0)] = reader.GetString(1);
        }
        if (columns.Count == 0)
        {
            throw new WarehouseException($"staging table {table} does not exist: run ./warehouse migrate first");
        }
        return columns;
    }

    private delegate Task ColumnWriter(NpgsqlBinaryImporter importer, object? value, CancellationToken ct);

    /// <summary>Converts one Avro field's generic value into the staging column's PostgreSQL type.</summary>
    private static ColumnWriter ValueWriter(AvroField field, string columnType)
    {
        var schema = field.Schema.Type == AvroType.Union
            ? field.Schema.Branches.First(b => b.Type != AvroType.Null)
            : field.Schema;
        return columnType switch
        {
            "timestamp with time zone" when schema.LogicalType == "timestamp-micros" =>
                (importer, value, ct) => value is long micros
                    ? importer.WriteAsync(DateTime.UnixEpoch.AddTicks(micros * 10), NpgsqlDbType.TimestampTz, ct)
                    : importer.WriteNullAsync(ct),
            "timestamp with time zone" when schema.LogicalType == "timestamp-millis" =>
                (importer, value, ct) => value is long millis
                    ? importer.WriteAsync(DateTime.UnixEpoch.AddTicks(millis * 10_000), NpgsqlDbType.TimestampTz, ct)
                    : importer.WriteNullAsync(ct),
            "bigint" => (importer, value, ct) => value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Bigint, ct),
            "integer" => (importer, value, ct) => value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Integer, ct),
            "boolean" => (importer, value, ct) => value is bool b ? importer.WriteAsync(b, NpgsqlDbType.Boolean, ct) : importer.WriteNullAsync(ct),
            "character varying" or "text" or "character" =>
                (importer, value, ct) => value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(value.ToString()!, NpgsqlDbType.Varchar, ct),
            _ => throw new WarehouseException($"field '{field.Name}': no conversion from Avro {schema.Type} to column type {columnType}"),
        };
    }
}

using System.Diagnostics;
using Avro;
using Npgsql;
using NpgsqlTypes;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Database;

namespace Warehouse.Core.Load;

/// <summary>
/// Loads Avro files and the campaign/reward mapping into the staging tables. A file is known in <c>staging.loaded_files</c>
/// by the SHA-256 of its raw content (<see cref="LoadIdentity"/>): loading it again is a no-op. Rows and manifest entry
/// are written in one transaction, committed durably, so a failure part-way leaves nothing behind and a load that
/// returned survives a crash.
/// </summary>
/// <param name="migrateCommand">What the user runs to create the tables, named when the database has none.</param>
public sealed partial class StagingLoader(string connectionString, string migrateCommand = "./warehouse migrate")
{
    public const string MappingSource = "campaign_reward_mapping";

    public Task<LoadResult> LoadAvroAsync(string path, CancellationToken ct = default) => LoadAvroAsync(path, null, null, ct: ct);

    /// <param name="identity">For an Avro file made from a remote object or a raw file: the identity it is known by in
    /// the manifest instead of the Avro file's bytes. Null: the file's content hash.</param>
    /// <param name="rejectReasons">Lines the conversion rejected, by normalised reason; stored in staging.load_rejects.</param>
    /// <param name="alsoInTransaction">Runs in the load's transaction after the rows are in (and only when the content
    /// was not loaded before), so a caller can record its own progress atomically with the load (warehouse replay does).</param>
    public async Task<LoadResult> LoadAvroAsync(string path, LoadIdentity? identity, IReadOnlyDictionary<string, long>? rejectReasons,
        Func<NpgsqlConnection, NpgsqlTransaction, long, CancellationToken, Task>? alsoInTransaction = null, CancellationToken ct = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return await LoadAvroAsync(stream, identity ?? LoadIdentity.OfAvroFile(path), rejectReasons, alsoInTransaction, ct);
    }

    /// <summary>Loads an Avro container read from <paramref name="stream"/> (a local file or a remote body).</summary>
    public async Task<LoadResult> LoadAvroAsync(Stream stream, LoadIdentity identity, IReadOnlyDictionary<string, long>? rejectReasons,
        Func<NpgsqlConnection, NpgsqlTransaction, long, CancellationToken, Task>? alsoInTransaction = null,
        CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var fileName = identity.FileName;
        var hash = identity.Hash;
        using var reader = new AvroContainerReader(stream, leaveOpen: true);
        var source = Sources.ByAvroRecordName(reader.Schema.Fullname)
            ?? throw new WarehouseException($"{fileName}: Avro record {reader.Schema.Fullname} is not a known source " +
                $"(expected one of {string.Join(", ", Sources.All.Select(s => s.AvroRecordName))})");

        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (await ClaimAsync(connection, transaction, hash, ct) is { } previous)
        {
            return new LoadResult(fileName, source.Name, 0, AlreadyLoaded: true, stopwatch.Elapsed) { };
        }
        var loadId = await NextLoadIdAsync(connection, transaction, ct);

        var rows = await CopyRecordsAsync(connection, reader, source.StagingTable, fileName, loadId, ct);
        await RecordAsync(connection, transaction, identity, source.Name, rows, loadId, ct);
        await RecordRejectsAsync(connection, transaction, identity, source.Name, rejectReasons, ct);
        if (alsoInTransaction is not null)
        {
            await alsoInTransaction(connection, transaction, rows, ct);
        }
        await Connections.CommitDurablyAsync(transaction, ct);
        return new LoadResult(fileName, source.Name, rows, AlreadyLoaded: false, stopwatch.Elapsed);
    }

    /// <summary>
    /// Copies every record of <paramref name="reader"/> into <paramref name="table"/> over the caller's connection, so
    /// inside the caller's transaction; returns the row count. Fields and columns are matched by name; with
    /// <paramref name="loadId"/>, every row's load_id is set to it (null leaves the column out).
    /// </summary>
    internal static async Task<long> CopyRecordsAsync(NpgsqlConnection connection, AvroContainerReader reader, string table,
        string fileName, long? loadId, CancellationToken ct)
    {
        var columns = await ColumnTypesAsync(connection, table, ct);
        var fields = (reader.Schema as RecordSchema)?.Fields
            ?? throw new WarehouseException($"{fileName}: the schema is {reader.Schema.Fullname}, not a record");
        var copiers = fields.Select(f => columns.TryGetValue(f.Name, out var type)
                ? FieldCopier(f, type)
                : throw new WarehouseException($"{fileName}: field '{f.Name}' has no column in {table}"))
            .ToArray();
        // Every row carries its load's id: a refresh takes in the rows loaded since the previous refresh by it.
        var columnList = string.Join(", ", fields.Select(f => f.Name)) + (loadId is null ? "" : ", load_id");
        var copy = $"copy {table} ({columnList}) from stdin (format binary)";
        long rows = 0;
        try
        {
            // Records go straight from the Avro block buffer into PostgreSQL's binary COPY format: strings are copied as
            // their UTF-8 bytes, timestamps shifted to PostgreSQL's epoch; no value is ever decoded into an object.
            await using var copyStream = await connection.BeginRawBinaryCopyAsync(copy, ct);
            try
            {
                var writer = new PgBinaryCopyWriter(copyStream);
                writer.WriteHeader();
                var fieldCount = (short)(copiers.Length + (loadId is null ? 0 : 1));
                foreach (var (count, decoder) in reader.ReadBlocks())
                {
                    ct.ThrowIfCancellationRequested();
                    for (long i = 0; i < count; i++)
                    {
                        writer.StartRow(fieldCount);
                        foreach (var copier in copiers)
                        {
                            copier(decoder, writer);
                        }
                        if (loadId is { } id)
                        {
                            writer.WriteInt64(id);
                        }
                        writer.FlushIfFull();
                    }
                    rows += count;
                }
                writer.WriteTrailerAndFlush();
            }
            catch (Exception e) when (e is not NpgsqlException)
            {
                // The file is corrupt (or the load was cancelled): abandon the COPY rather than end it, so what PostgreSQL
                // would say about a stream cut short ("COPY file signature not recognized") cannot replace the reader's
                // precise message, and none of the rows sent so far can be kept.
                await AbandonAsync(copyStream);
                throw;
            }
        }
        catch (PostgresException e)
        {
            // PostgreSQL names the row it refused in the error's context ("COPY http_log, line 1001, column path");
            // our own count only says which block was being sent.
            var where = e.Where is { } context && CopyLine().Match(context) is { Success: true } line
                ? $"record {long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture):N0}"
                : $"record {rows + 1:N0} or later";
            throw new WarehouseException($"{fileName}: the database refused {where}: {e.MessageText}; nothing of this file was loaded", e);
        }

        return rows;
    }

    private static async Task AbandonAsync(NpgsqlRawCopyStream copyStream)
    {
        try
        {
            await copyStream.CancelAsync();
        }
        catch (NpgsqlException)
        {
            // The connection failed as well; the error that made us abandon the COPY is still the one to report.
        }
    }

    /// <summary>Earlier loads of a raw file of this name that took in fewer than <paramref name="length"/> bytes, largest first.</summary>
    public async Task<List<(string Hash, RawExtent Extent)>> EarlierExtentsAsync(string fileName, long length, CancellationToken ct = default)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var query = new NpgsqlCommand("""
            select file_hash, raw_bytes, raw_lines from staging.loaded_files
            where file_name = @name and raw_bytes < @length and raw_lines is not null
            order by raw_bytes desc
            """, connection);
        query.Parameters.AddWithValue("name", fileName);
        query.Parameters.AddWithValue("length", length);
        var extents = new List<(string, RawExtent)>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            extents.Add((reader.GetString(0).Trim(), new RawExtent(reader.GetInt64(1), reader.GetInt64(2))));
        }
        return extents;
    }

    /// <summary>Whether content with this identity is in the manifest (so a remote object need not even be read).</summary>
    public async Task<bool> IsLoadedAsync(LoadIdentity identity, CancellationToken ct = default)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var check = new NpgsqlCommand("select count(*) from staging.loaded_files where file_hash = @hash", connection);
        check.Parameters.AddWithValue("hash", identity.Hash);
        return System.Convert.ToInt64(await check.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Loads <c>campaign_id,reward_id</c> pairs, adding only pairs not already present.</summary>
    public Task<LoadResult> LoadMappingAsync(string path, CancellationToken ct = default)
    {
        using var reader = new StreamReader(path);
        return LoadMappingAsync(ReadMapping(reader, Path.GetFileName(path)), LoadIdentity.OfLocalFile(path), ct);
    }

    /// <summary>Loads pairs read with <see cref="ReadMapping(TextReader, string)"/>, identified by <paramref name="identity"/>.</summary>
    public async Task<LoadResult> LoadMappingAsync(IReadOnlyList<(string Campaign, string Reward)> pairs, LoadIdentity identity,
        CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var fileName = identity.FileName;
        var hash = identity.Hash;

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
        await RecordAsync(connection, transaction, identity, MappingSource, added, loadId, ct);
        await Connections.CommitDurablyAsync(transaction, ct);
        return new LoadResult(fileName, MappingSource, added, AlreadyLoaded: false, stopwatch.Elapsed)
        {
            DuplicateLines = pairs.Count - pairs.Distinct().Count(),
        };
    }

    /// <summary>Reads and checks the mapping CSV; a malformed row is an error naming its line (the mapping is small and exact).</summary>
    public static List<(string Campaign, string Reward)> ReadMapping(string path)
    {
        using var reader = new StreamReader(path);
        return ReadMapping(reader, Path.GetFileName(path));
    }

    public static List<(string Campaign, string Reward)> ReadMapping(TextReader reader, string fileName)
    {
        var pairs = new List<(string, string)>();
        if (MappingHeaderProblem(fileName, reader.ReadLine()) is { } problem)
        {
            throw new WarehouseException(problem);
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
                // The mapping is exact reference data: a bad row stops the load rather than be skipped (a dropped pair would
                // silently change attribution). Control characters are shown escaped, never sent to the terminal.
                var shown = string.Concat(line.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
                throw new WarehouseException(
                    $"{fileName}:{lineNumber}: expected two ids 'campaign_id,reward_id' (letters, digits, - and _, at most 64 each), found '{shown}'");
            }
            pairs.Add((parts[0].Trim(), parts[1].Trim()));
        }
        return pairs;
    }

    /// <summary>Null when <paramref name="header"/> (line 1 of a mapping file; null: the file is empty) is the mapping's header.</summary>
    public static string? MappingHeaderProblem(string fileName, string? header)
    {
        const string Expected = "campaign_id,reward_id";
        var found = header?.Trim().TrimStart('\uFEFF') ?? "";
        return found == Expected ? null : Pipeline.InputHeaders.Problem(fileName, Expected, found);
    }

    private static bool IsId(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// Takes the manifest lock and says whether this content was loaded before. The lock serialises concurrent loads,
    /// so two runs loading the same file cannot both pass the check.
    /// </summary>
    private async Task<string?> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string hash, CancellationToken ct)
    {
        await using (var lockManifest = new NpgsqlCommand("lock table staging.loaded_files in share row exclusive mode", connection, transaction))
        {
            try
            {
                await lockManifest.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedTable)
            {
                // load does not migrate (run does): it says what to run instead.
                throw new WarehouseException($"database {ConnectionUrl.Describe(connectionString)} has no warehouse tables " +
                    $"(staging.loaded_files is missing); run {migrateCommand} first", e);
            }
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

    private static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LoadIdentity identity,
        string source, long rows, long loadId, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand("""
            insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id, object_version, raw_bytes, raw_lines)
            values (@file_name, @hash, @source, @rows, statement_timestamp(), @load_id, @version, @raw_bytes, @raw_lines)
            """, connection, transaction);
        insert.Parameters.AddWithValue("raw_bytes", (object?)identity.RawExtent?.Bytes ?? DBNull.Value);
        insert.Parameters.AddWithValue("raw_lines", (object?)identity.RawExtent?.Lines ?? DBNull.Value);
        insert.Parameters.AddWithValue("load_id", loadId);
        insert.Parameters.AddWithValue("version", (object?)identity.Version ?? DBNull.Value);
        insert.Parameters.AddWithValue("file_name", identity.FileName);
        insert.Parameters.AddWithValue("hash", identity.Hash);
        insert.Parameters.AddWithValue("source", source);
        insert.Parameters.AddWithValue("rows", rows);
        await insert.ExecuteNonQueryAsync(ct);
    }

    private static async Task RecordRejectsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LoadIdentity identity,
        string source, IReadOnlyDictionary<string, long>? reasons, CancellationToken ct)
    {
        foreach (var (reason, count) in reasons ?? new Dictionary<string, long>())
        {
            await using var insert = new NpgsqlCommand("""
                insert into staging.load_rejects (file_hash, source, file_name, reason, line_count)
                values (@hash, @source, @file_name, @reason, @count)
                """, connection, transaction);
            insert.Parameters.AddWithValue("hash", identity.Hash);
            insert.Parameters.AddWithValue("source", source);
            insert.Parameters.AddWithValue("file_name", identity.FileName);
            insert.Parameters.AddWithValue("reason", reason.Length > 1024 ? reason[..1024] : reason);
            insert.Parameters.AddWithValue("count", count);
            await insert.ExecuteNonQueryAsync(ct);
        }
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

    private delegate void Copier(AvroDecoder decoder, PgBinaryCopyWriter writer);

    /// <summary>Reads one Avro field from the block and writes it as the staging column's PostgreSQL type.</summary>
    private static Copier FieldCopier(Field field, string columnType)
    {
        if (field.Schema is not UnionSchema union)
        {
            return ValueCopier(field, field.Schema, columnType);
        }
        // ["null", T] (either order): the branch index says whether a value follows.
        var nullBranch = AvroSchemas.NullBranch(union);
        if (union.Count != 2 || nullBranch < 0)
        {
            throw new WarehouseException($"field '{field.Name}': only unions of null and one type can be loaded");
        }
        var value = ValueCopier(field, union[1 - nullBranch], columnType);
        return (decoder, writer) =>
        {
            var branch = decoder.ReadLong();
            if (branch == nullBranch)
            {
                writer.WriteNull();
            }
            else if (branch == 1 - nullBranch)
            {
                value(decoder, writer);
            }
            else
            {
                throw new WarehouseException($"{decoder.Where}: field '{field.Name}' has union branch {branch}, which does not exist");
            }
        };
    }

    private static Copier ValueCopier(Field field, Schema schema, string columnType) =>
        (AvroSchemas.Encoded(schema).Tag, AvroSchemas.LogicalTypeName(schema), columnType) switch
        {
            (Schema.Type.Long, "timestamp-micros", "timestamp with time zone") =>
                (d, w) => w.WriteTimestampFromUnixMicros(CheckedMicros(d.ReadLong(), field)),
            (Schema.Type.Long, "timestamp-millis", "timestamp with time zone") =>
                (d, w) => w.WriteTimestampFromUnixMicros(CheckedMicros(checked(d.ReadLong() * 1000), field)),
            (Schema.Type.Long, _, "bigint") => (d, w) => w.WriteInt64(d.ReadLong()),
            (Schema.Type.Int, _, "integer") => (d, w) => w.WriteInt32Value(d.ReadInt()),
            (Schema.Type.Int, _, "bigint") => (d, w) => w.WriteInt64(d.ReadInt()),
            (Schema.Type.Boolean, _, "boolean") => (d, w) => w.WriteBoolean(d.ReadBoolean()),
            (Schema.Type.String, _, "character varying" or "character" or "text") => (d, w) => w.WriteBytes(d.ReadStringBytes()),
            var (type, logical, _) => throw new WarehouseException($"field '{field.Name}': no conversion from Avro {type.ToString().ToLowerInvariant()}{(logical is null ? "" : "/" + logical)} to column type {columnType}"),
        };

    private static long CheckedMicros(long micros, Field field)
    {
        if (micros is < Timestamps.MinStorableMicros or > Timestamps.MaxStorableMicros)
        {
            throw new WarehouseException($"field '{field.Name}': timestamp {micros} µs since 1970 is outside years 1-9999");
        }
        return micros;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^COPY \S+, line (\d+)")]
    private static partial System.Text.RegularExpressions.Regex CopyLine();
}

using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Load;
using Warehouse.Core.Marts;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Refresh;

namespace Warehouse.Tests.Incremental;

/// <summary>A piece of one raw file: lines [FirstLine, FirstLine + Lines.Count) of it, or the whole mapping file.</summary>
internal sealed record Batch(InputFile File, long FirstLine, IReadOnlyList<byte[]> Lines)
{
    public override string ToString() => File.Kind == InputKind.Mapping
        ? File.Name
        : $"{File.Name}[{FirstLine}..{FirstLine + Lines.Count - 1}]";
}

/// <summary>
/// Cuts raw input files into batches of whole lines and feeds them to a database one at a time the way new files
/// arrive: convert (keeping each line's file name and number), load, refresh.
/// </summary>
internal sealed class BatchFeeder(string connectionString, string workFolder)
{
    /// <summary>Every raw file and mapping of a folder, each as one batch.</summary>
    public static IReadOnlyList<Batch> WholeFiles(string folder) =>
        [.. Inputs(folder).Select(f => Split(f, [], out _).Single())];

    /// <summary>
    /// Each raw file cut at random places into 1-5 pieces, the mapping whole; all of them in a random order (pieces of
    /// one file included, so later lines often arrive first).
    /// </summary>
    public static IReadOnlyList<Batch> RandomSplit(string folder, Random random)
    {
        var batches = new List<Batch>();
        foreach (var file in Inputs(folder))
        {
            if (file.Kind == InputKind.Mapping)
            {
                batches.Add(new Batch(file, 0, []));
                continue;
            }
            var pieces = random.Next(1, 6);
            var dataLines = DataLineCount(file);
            var cuts = Enumerable.Range(0, pieces - 1).Select(_ => (long)random.Next(0, (int)dataLines + 1)).Order().ToList();
            batches.AddRange(Split(file, cuts, out _));
        }
        return [.. batches.OrderBy(_ => random.Next())];
    }

    public async Task FeedAsync(Batch batch, CancellationToken ct = default)
    {
        await LoadAsync(batch, ct);
        await new Refresher(connectionString).RefreshAsync([], ct);
    }

    /// <summary>Converts and loads the batch without refreshing.</summary>
    public async Task LoadAsync(Batch batch, CancellationToken ct = default)
    {
        var loader = new StagingLoader(connectionString);
        if (batch.File.Kind == InputKind.Mapping)
        {
            await loader.LoadMappingAsync(batch.File.Path!, ct);
        }
        else
        {
            var avro = Path.Combine(workFolder, $"{Guid.NewGuid():N}.avro");
            Convert(batch, avro, ct);
            await loader.LoadAvroAsync(avro, ct);
        }
    }

    /// <summary>Every mart (and core.sessions, a stronger check of the same thing) as sorted text lines.</summary>
    public async Task<Dictionary<string, List<string>>> MartsAsync()
    {
        var marts = new Dictionary<string, List<string>>();
        var reader = new MartReader(connectionString);
        foreach (var mart in MartCatalog.Names)
        {
            var table = await reader.ReadAsync(mart);
            marts[mart] = [.. table.Rows.Select(r => string.Join(" | ", r.Select(MartValues.Format))).Order(StringComparer.Ordinal)];
        }
        marts["core.sessions"] = await RowsAsync(
            "select session_id, session_start, session_end, event_count, duration_seconds, browser_family, os_family, device_family from core.sessions");
        marts["core.sessionized_events"] = await RowsAsync(
            "select session_id, user_event_number, source_file, source_line, previous_event_at, is_new_session from core.sessionized_events");
        return marts;
    }

    private Task<List<string>> RowsAsync(string sql) => RowsAsync(connectionString, sql);

    /// <summary>The rows of a query as sorted text lines.</summary>
    public static async Task<List<string>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            rows.Add(string.Join(" | ", values.Select(v => v is DBNull ? null : v).Select(MartValues.Format)));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static void Convert(Batch batch, string avroPath, CancellationToken ct)
    {
        var header = HasHeader(batch.File) ? 1 : 0;
        using var raw = new MemoryStream();
        if (header == 1)
        {
            raw.Write(ReadLines(batch.File.Path!)[0]);
        }
        foreach (var line in batch.Lines)
        {
            raw.Write(line);
        }
        raw.Position = 0;
        using var output = File.Create(avroPath);
        // The piece's first line is line header+1 of the piece and line FirstLine of the file.
        RawConverter.Convert(batch.File.Format!, raw, batch.File.SourceName, output, AvroCodec.Null, null, null, ct,
            lineNumberOffset: batch.FirstLine - (header + 1));
    }

    private static IEnumerable<InputFile> Inputs(string folder) =>
        InputDiscovery.Scan(folder).Where(f => f.Kind is InputKind.Raw or InputKind.Mapping).OrderBy(f => f.Name, StringComparer.Ordinal);

    private static bool HasHeader(InputFile file) => RawFormat.Create(file.Format!, file.Name).HasHeader;

    private static long DataLineCount(InputFile file) => ReadLines(file.Path!).Count - (HasHeader(file) ? 1 : 0);

    /// <summary>Data lines cut before each of <paramref name="cuts"/> (indexes into the data lines, ascending).</summary>
    private static List<Batch> Split(InputFile file, IReadOnlyList<long> cuts, out long dataLines)
    {
        if (file.Kind == InputKind.Mapping)
        {
            dataLines = 0;
            return [new Batch(file, 0, [])];
        }
        var lines = ReadLines(file.Path!);
        var header = HasHeader(file) ? 1 : 0;
        var data = lines.Skip(header).ToList();
        dataLines = data.Count;
        var bounds = new List<long> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(data.Count);
        var batches = new List<Batch>();
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            var (from, to) = ((int)bounds[i], (int)bounds[i + 1]);
            batches.Add(new Batch(file, header + from + 1, data.GetRange(from, to - from)));
        }
        return batches;
    }

    /// <summary>The file's lines with their line endings, as bytes (so a piece converts exactly as in the whole file).</summary>
    private static List<byte[]> ReadLines(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < bytes.Length)
        {
            lines.Add(bytes[start..]);
        }
        return lines;
    }
}

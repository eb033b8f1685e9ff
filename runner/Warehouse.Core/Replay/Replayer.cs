using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Refresh;

namespace Warehouse.Core.Replay;

/// <summary>How fast lines are released: the file's own timing (scaled), or a fixed rate.</summary>
public sealed record ReplayPacing
{
    /// <summary>Original timing divided by this factor (1 = real time); null when pacing by <see cref="EventsPerSecond"/>.</summary>
    public double? Speed { get; private init; }

    public double? EventsPerSecond { get; private init; }

    /// <summary>Each delay between consecutive lines is clamped to this (and to 0 when the file goes back in time).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    public static ReplayPacing KeepTiming { get; } = new() { Speed = 1 };

    public static ReplayPacing SpeedUp(double factor) => factor > 0 && double.IsFinite(factor)
        ? new ReplayPacing { Speed = factor }
        : throw new WarehouseException($"--speed must be a positive number, got {factor.ToString(CultureInfo.InvariantCulture)}");

    public static ReplayPacing Rate(double eventsPerSecond) => eventsPerSecond > 0 && double.IsFinite(eventsPerSecond)
        ? new ReplayPacing { EventsPerSecond = eventsPerSecond }
        : throw new WarehouseException($"--rate must be a positive number of events per second, got {eventsPerSecond.ToString(CultureInfo.InvariantCulture)}");
}

public sealed record ReplayOptions
{
    public required string File { get; init; }
    public string Format { get; init; } = "clickstream-csv";
    public ReplayPacing Pacing { get; init; } = ReplayPacing.KeepTiming;
    /// <summary>Lines released within this long go into one micro-batch (convert, load, refresh).</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// At most this many lines go into one batch: when loading falls behind the release schedule, the backlog is fed in
    /// batches of this size (and memory stays bounded) instead of one huge batch.
    /// </summary>
    public int MaxBatchLines { get; init; } = 50_000;
    /// <summary>Where the micro-batches' Avro files (deleted after loading) and the rejects file go.</summary>
    public required string WorkDirectory { get; init; }
    public IReadOnlyList<(string Source, int Seconds)> SessionGaps { get; init; } = [];
}

/// <summary>One committed micro-batch: lines [FirstLine, LastLine] of the file.</summary>
public sealed record ReplayBatch(long FirstLine, long LastLine, long Records, long Rejected, RefreshResult Refresh);

/// <summary>How a replay ended. <see cref="Stopped"/>: cancelled; a new replay of the same file continues after <see cref="LinesDone"/>.</summary>
public sealed record ReplaySummary(long StartedAtLine, long LinesDone, long EventsLoaded, long Rejected, int Batches, bool Stopped);

/// <summary>
/// Feeds a raw file into the warehouse as a live stream: lines are released at the file's own pace (delays between
/// consecutive events clamped to 0-10 s, optionally sped up) or at a fixed rate, and every batch interval the released
/// lines are converted (keeping the file's name and line numbers), loaded and refreshed incrementally.
///
/// Restart safety: the position (lines done) of the file, keyed by its content hash in <c>staging.replay_positions</c>,
/// is written in the transaction that loads the batch, so a batch is either loaded and counted or neither; a restart
/// skips exactly the lines already loaded. Cancellation stops between or inside a batch; an uncommitted batch is
/// simply fed again next time.
/// </summary>
public sealed class Replayer(string connectionString)
{
    public async Task<ReplaySummary> ReplayAsync(ReplayOptions options, IProgress<ReplayBatch>? progress = null, CancellationToken ct = default)
    {
        if (!File.Exists(options.File))
        {
            throw new WarehouseException($"file not found: {options.File}");
        }
        var parser = RawFormat.Create(options.Format, options.File);
        if (options.Pacing.Speed is not null && options.Format != "clickstream-csv")
        {
            throw new WarehouseException("--keep-timing and --speed read the clickstream's original_timestamp: use --rate for other formats");
        }
        if (options.BatchInterval <= TimeSpan.Zero)
        {
            throw new WarehouseException("--batch-seconds must be positive");
        }
        var fileName = Path.GetFileName(options.File);
        var hash = FileHash.Sha256(options.File);
        Directory.CreateDirectory(options.WorkDirectory);
        var rejectsPath = Path.Combine(options.WorkDirectory, $"{fileName}.{hash[..16]}.replay-rejects.jsonl");

        var startLine = await PositionAsync(hash, ct);
        var lines = new LineSource(options.File);
        var header = parser.HasHeader ? lines.Next() : null;
        var headerLines = header is null ? 0 : 1;
        var linesDone = startLine;
        long events = 0, rejected = 0;
        var batches = 0;
        var refreshPending = false;
        try
        {
            lines.Skip(Math.Max(0, startLine - headerLines));
            var clock = Stopwatch.StartNew();
            var due = TimeSpan.Zero;
            double? previousEventSeconds = null;
            long released = 0;
            var batch = new List<byte[]>();
            var next = lines.Next();
            while (next is not null)
            {
                ct.ThrowIfCancellationRequested();
                var batchEnd = clock.Elapsed + options.BatchInterval;
                // Release every line due before the end of this batch interval, then wait for the interval to end.
                while (next is not null)
                {
                    if (options.Pacing.EventsPerSecond is { } rate)
                    {
                        due = TimeSpan.FromSeconds(released / rate);
                    }
                    else if (EventSeconds(next) is { } seconds)
                    {
                        if (previousEventSeconds is { } previous)
                        {
                            var delay = Math.Clamp(seconds - previous, 0, ReplayPacing.MaxDelay.TotalSeconds) / options.Pacing.Speed!.Value;
                            due += TimeSpan.FromSeconds(delay);
                        }
                        previousEventSeconds = seconds;
                    }
                    if ((due > batchEnd && batch.Count > 0) || batch.Count >= options.MaxBatchLines)
                    {
                        break;
                    }
                    if (due > batchEnd)
                    {
                        // Nothing released yet: sleep until this line is due instead of spinning empty batches.
                        batchEnd = due;
                    }
                    batch.Add(next);
                    released++;
                    next = lines.Next();
                }
                var wait = batchEnd - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                var firstLine = linesDone + (linesDone == 0 ? headerLines : 0) + 1;
                var (records, bad) = await LoadBatchAsync(options, parser.Name, fileName, hash, header, batch, firstLine, rejectsPath, ct);
                linesDone = firstLine + batch.Count - 1;
                events += records;
                rejected += bad;
                batches++;
                refreshPending = true;
                var refresh = await new Refresher(connectionString).RefreshAsync(options.SessionGaps, ct);
                refreshPending = false;
                progress?.Report(new ReplayBatch(firstLine, linesDone, records, bad, refresh));
                batch.Clear();
            }
            return new ReplaySummary(startLine, linesDone, events, rejected, batches, Stopped: false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (refreshPending)
            {
                // The batch is loaded; bring the marts up to it so what is shown matches the position. Short, not cancellable.
                await new Refresher(connectionString).RefreshAsync(options.SessionGaps, CancellationToken.None);
            }
            return new ReplaySummary(startLine, await PositionAsync(hash, CancellationToken.None), events, rejected, batches, Stopped: true);
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>Converts a batch (with the file's header, name and line numbers) and loads it together with the new position.</summary>
    private async Task<(long Records, long Rejected)> LoadBatchAsync(ReplayOptions options, string format, string fileName, string hash,
        byte[]? header, List<byte[]> batch, long firstLine, string rejectsPath, CancellationToken ct)
    {
        var avroPath = Path.Combine(options.WorkDirectory, $"{fileName}.{hash[..16]}.{firstLine}.replay.avro");
        ConvertResult converted;
        try
        {
            using (var raw = new MemoryStream())
            {
                if (header is not null)
                {
                    raw.Write(header);
                }
                foreach (var line in batch)
                {
                    raw.Write(line);
                }
                raw.Position = 0;
                using var output = File.Create(avroPath);
                using var rejects = new StringWriter(CultureInfo.InvariantCulture);
                converted = RawConverter.Convert(format, raw, fileName, output, AvroCodec.Null, rejects, null, ct,
                    lineNumberOffset: firstLine - ((header is null ? 0 : 1) + 1));
                if (converted.Rejected > 0)
                {
                    await File.AppendAllTextAsync(rejectsPath, rejects.ToString(), ct);
                }
            }
            var lastLine = firstLine + batch.Count - 1;
            await new StagingLoader(connectionString).LoadAvroAsync(avroPath, identity: null, rejectReasons: null,
                (connection, transaction, rows, token) => SavePositionAsync(connection, transaction, hash, fileName, lastLine, rows, token), ct);
            return (converted.RecordsWritten, converted.Rejected);
        }
        finally
        {
            File.Delete(avroPath);
        }
    }

    private async Task<long> PositionAsync(string hash, CancellationToken ct)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using var command = new NpgsqlCommand("select lines_done from staging.replay_positions where file_hash = @hash", connection);
        command.Parameters.AddWithValue("hash", hash);
        return await command.ExecuteScalarAsync(ct) is long done ? done : 0;
    }

    private static async Task SavePositionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string hash, string fileName,
        long linesDone, long rows, CancellationToken ct)
    {
        // update-then-insert instead of ON CONFLICT, which Redshift lacks; the load's manifest lock serialises writers.
        await using var command = new NpgsqlCommand("""
            update staging.replay_positions
            set lines_done = @lines_done, events_loaded = events_loaded + @rows, updated_at = statement_timestamp()
            where file_hash = @hash;
            insert into staging.replay_positions (file_hash, file_name, lines_done, events_loaded, updated_at)
            select @hash, @file_name, @lines_done, @rows, statement_timestamp()
            where not exists (select 1 from staging.replay_positions where file_hash = @hash)
            """, connection, transaction);
        command.Parameters.AddWithValue("hash", hash);
        command.Parameters.AddWithValue("file_name", fileName);
        command.Parameters.AddWithValue("lines_done", linesDone);
        command.Parameters.AddWithValue("rows", rows);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The clickstream's original_timestamp (second field, epoch seconds) for pacing; null when the line has none
    /// (it will be rejected by the converter anyway, and is released without delay).
    /// </summary>
    internal static double? EventSeconds(byte[] line)
    {
        var text = Encoding.UTF8.GetString(line);
        var first = text.IndexOf(',', StringComparison.Ordinal);
        if (first < 0)
        {
            return null;
        }
        var second = text.IndexOf(',', first + 1);
        var field = (second < 0 ? text[(first + 1)..] : text[(first + 1)..second]).Trim().Trim('"');
        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) ? seconds : null;
    }

    /// <summary>
    /// The raw lines of a file, line endings kept, in bounded memory: a line longer than the converter's limit is kept
    /// only up to just past that limit (the converter rejects it as too long all the same), so line numbers match a
    /// conversion of the whole file.
    /// </summary>
    private sealed class LineSource(string path) : IDisposable
    {
        private const int MaxLine = Utf8LineReader.DefaultMaxLineBytes + 2;
        private readonly BufferedStream _stream = new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read), 1 << 16);
        private readonly MemoryStream _line = new();

        public byte[]? Next()
        {
            _line.SetLength(0);
            int b;
            while ((b = _stream.ReadByte()) >= 0)
            {
                if (_line.Length < MaxLine || b == '\n')
                {
                    _line.WriteByte((byte)b);
                }
                if (b == '\n')
                {
                    break;
                }
            }
            return _line.Length == 0 ? null : _line.ToArray();
        }

        public void Skip(long lines)
        {
            for (long i = 0; i < lines && Next() is not null; i++)
            {
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}

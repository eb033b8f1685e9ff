using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Marts;
using Warehouse.Core.Migrations;
using Warehouse.Core.Profile;
using Warehouse.Core.Refresh;
using Warehouse.Core.Remote;

namespace Warehouse.Core.Pipeline;

public sealed record RunOptions
{
    /// <summary>A local folder or file, an http(s):// URL of one file, or an s3://bucket/prefix.</summary>
    public required string InputDirectory { get; init; }
    /// <summary>Expected mart CSVs; null means INPUT/expected when that folder exists.</summary>
    public string? ExpectedDirectory { get; init; }
    /// <summary>Where converted Avro files and rejects are kept between runs.</summary>
    public required string WorkDirectory { get; init; }
    public required MigrationOptions Migrations { get; init; }
    public IReadOnlyList<(string Source, int Seconds)> SessionGaps { get; init; } = [];
    /// <summary>Connections a full refresh builds user buckets on at once (<c>--jobs</c>).</summary>
    public int Jobs { get; init; } = RefreshOptions.DefaultJobs;
    /// <summary>Profile every source after the refresh (<c>run --profile</c>); off by default, it reads every event again.</summary>
    public bool Profile { get; init; }
    public AvroCodec Codec { get; init; } = AvroCodec.Deflate;
    /// <summary>How URLs and S3 prefixes are reached (endpoint, credentials, retries, timeouts).</summary>
    public RemoteOptions Remote { get; init; } = new();
    /// <summary>The share of a raw file's lines that may be rejected; a file over it is not loaded (<c>--max-reject-rate</c>).</summary>
    public double MaxRejectRate { get; init; } = RejectLimit.DefaultRate;
}

/// <summary>Reports progress of the long stages: (what, bytes done, bytes in all).</summary>
public interface IRunProgress
{
    void Stage(string name);
    IProgress<long> Bytes(string what, long total);
    void Done(string what);
}

public static class RunProgressExtensions
{
    /// <summary>The steps of a stage as stages of their own, <c>stage: step</c> (e.g. a refresh's steps).</summary>
    public static IProgress<string> Steps(this IRunProgress progress, string stage) =>
        new InlineProgress<string>(step => progress.Stage($"{stage}: {step}"));
}

/// <summary>
/// The main job: migrate, convert every recognised raw file to Avro, load Avro and mapping files into staging, refresh,
/// and verify against expected fixtures. Every step is idempotent: a raw file already converted is not converted again
/// (its Avro is kept under the work folder by content hash) and a file already loaded is not loaded again.
/// </summary>
public sealed class RunPipeline(string connectionString, TextWriter log, IRunProgress progress)
{
    /// <summary>Stage names the benchmark lists steps under (<see cref="RunSummary.RefreshSteps"/>, the mart times).</summary>
    public const string RefreshStage = "refresh";
    public const string CountAndProfileStage = "sessions, marts and profile";
    public const string CountStage = "sessions and marts";

    public async Task<RunSummary> RunAsync(RunOptions options, CancellationToken ct = default)
    {
        var summary = new RunSummary();
        var stopwatch = Stopwatch.StartNew();
        void EndStage(string stage)
        {
            summary.Stages.Add((stage, stopwatch.Elapsed));
            stopwatch.Restart();
        }

        using var remote = new RemoteReader(options.Remote, log);
        var inputs = await InputDiscovery.ScanAsync(options.InputDirectory, remote, ct);
        var skipped = inputs.Where(i => i.Kind == InputKind.Skipped)
            .Select(i => new SkippedInput(i.IsRemote ? i.Location : i.Name, i.SkipReason ?? InputDiscovery.UnrecognisedName)).ToList();
        // An input that yields nothing is a mistake (a wrong folder, files named otherwise), not a successful run.
        if (skipped.Count == inputs.Count)
        {
            var names = skipped.Select(s => s.Input).ToList();
            var found = names.Count == 0 ? "it is empty"
                : $"found only {string.Join(", ", names.Take(5))}{(names.Count > 5 ? $" and {names.Count - 5} more" : "")}";
            throw new WarehouseException($"no recognised input in {options.InputDirectory} ({found}): expected {InputDiscovery.RecognisedNames}");
        }
        summary.Skipped.AddRange(skipped);
        // Every header is checked before anything is migrated or loaded, and every problem is reported at once.
        if (InputHeaders.Problems(inputs) is { Count: > 0 } problems)
        {
            throw new WarehouseException(string.Join('\n', problems));
        }

        progress.Stage("migrate");
        await new MigrationRunner(connectionString, options.Migrations).MigrateAsync(log, dryRun: false, ct);
        EndStage("migrate");

        progress.Stage("convert");
        Directory.CreateDirectory(options.WorkDirectory);
        TemporaryFile.RemoveLeftoversOfEndedProcesses(options.WorkDirectory);
        var loader = new StagingLoader(connectionString);
        var avroFiles = new List<PendingLoad>();
        foreach (var avro in inputs.Where(i => i.Kind == InputKind.Avro))
        {
            if (avro.IsRemote)
            {
                if (await FetchRemoteAvroAsync(avro, options, remote, loader, summary, ct) is { } fetched)
                {
                    avroFiles.Add(fetched);
                }
            }
            else
            {
                avroFiles.Add(new PendingLoad(avro.Path!, null, null));
            }
        }
        foreach (var raw in inputs.Where(i => i.Kind == InputKind.Raw))
        {
            if (raw.IsRemote)
            {
                if (await ConvertRemoteAsync(raw, options, remote, loader, summary, ct) is { } pending)
                {
                    avroFiles.Add(pending);
                }
                continue;
            }
            if (raw.IsGzip && await loader.IsLoadedAsync(LoadIdentity.OfLocalFile(raw.Path!), ct))
            {
                // loaded by an earlier version, which knew a .gz file by its compressed bytes: not loaded again
                summary.Loaded.Add(new LoadResult(raw.SourceName, RawFormat.Create(raw.Format!, raw.SourceName).Source.Name, 0, AlreadyLoaded: true, TimeSpan.Zero));
                continue;
            }
            var converted = await ConvertOnceAsync(raw, options, loader, ct);
            summary.Converted.Add(converted);
            var identity = LoadIdentity.OfRawContent(raw.SourceName, converted.RawSha256!) with { RawExtent = converted.RawExtent };
            avroFiles.Add(new PendingLoad(converted.AvroPath, identity, converted.RejectReasons, converted));
        }
        EndStage("convert");
        // A file over the reject limit is not loaded (it is most likely not what its name says); the others still are.
        summary.OverRejectLimit.AddRange(avroFiles.Select(a => a.Converted).OfType<ConvertedFile>()
            .Where(c => RejectLimit.RateOf(c) > options.MaxRejectRate));
        avroFiles.RemoveAll(a => a.Converted is { } c && summary.OverRejectLimit.Contains(c));

        progress.Stage("load");
        foreach (var mapping in inputs.Where(i => i.Kind == InputKind.Mapping))
        {
            summary.Loaded.Add(mapping.IsRemote
                ? await LoadRemoteMappingAsync(mapping, remote, loader, ct)
                : await loader.LoadMappingAsync(mapping.Path!, ct));
        }
        foreach (var avro in avroFiles)
        {
            summary.Loaded.Add(await loader.LoadAvroAsync(avro.AvroPath, avro.Identity, avro.RejectReasons, ct: ct));
        }
        EndStage("load");

        progress.Stage("refresh");
        var refreshOptions = new RefreshOptions
        {
            SessionGaps = options.SessionGaps,
            Jobs = options.Jobs,
            Progress = progress.Steps(RefreshStage),
        };
        summary.Refresh = await new Refresher(connectionString).RefreshAsync(refreshOptions, ct);
        summary.RefreshSteps = summary.Refresh.Steps;
        EndStage(RefreshStage);

        // Counting the marts (which computes them: they are views) and profiling the sources only read what the refresh
        // committed, so when a profile is asked for they run side by side, each on its own connection and so in its own
        // PostgreSQL process.
        progress.Stage(options.Profile ? "count and profile" : "count");
        var counting = TimedAsync(() => CountAsync(summary, ct));
        var profiling = options.Profile
            ? TimedAsync(async () => summary.Profile = await new DataProfiler(connectionString).ProfileAsync(null, ct))
            : Task.FromResult(TimeSpan.Zero);
        await Task.WhenAll(counting, profiling);
        summary.CountElapsed = await counting;
        summary.ProfileElapsed = await profiling;
        EndStage(options.Profile ? CountAndProfileStage : CountStage);

        var expected = options.ExpectedDirectory
            ?? (InputDiscovery.IsRemote(options.InputDirectory) ? "" : Path.Combine(options.InputDirectory, "expected"));
        if (options.ExpectedDirectory is not null || (expected.Length > 0 && Directory.Exists(expected)))
        {
            progress.Stage("verify");
            summary.Verification = await new MartVerifier(connectionString).VerifyAsync(expected, ct);
            summary.ExpectedDirectory = expected;
            EndStage("verify");
        }
        return summary;
    }

    /// <summary>
    /// Converts a raw file unless an Avro file of the same raw content is already in the work folder. A local raw file is
    /// known in the manifest by its own bytes, hashed in the pass that converts them (a file that grows meanwhile is known
    /// by exactly what was converted); the quick hash first only finds an earlier conversion to reuse.
    /// </summary>
    private async Task<ConvertedFile> ConvertOnceAsync(InputFile raw, RunOptions options, StagingLoader loader, CancellationToken ct)
    {
        var stem = Path.GetFileNameWithoutExtension(raw.SourceName);
        string PathFor(string hash, string suffix) => Path.Combine(options.WorkDirectory, $"{stem}.{hash[..16]}{suffix}");
        var length = new FileInfo(raw.Path!).Length;
        // A plain file that starts with exactly what an earlier load took in has grown since: only its new lines are converted.
        var loadedStart = raw.IsGzip ? null : await LoadedStartAsync(raw, length, loader, ct);
        // Only worth a read of the file when an earlier conversion of a file of this name may be there; it is reused when
        // it was made of these bytes from the same starting line (a database reset since may have taken in less).
        var earlier = Directory.EnumerateFiles(options.WorkDirectory, $"{stem}.*.counts.json").Select(ReadCounts).OfType<ConvertedFile>().ToList();
        if (earlier.Count > 0 && FileHash.Sha256(raw.Path!) is var before
            && earlier.FirstOrDefault(c => (c.FileSha256 ?? c.RawSha256) == before && c.AfterLine == loadedStart?.Lines
                && File.Exists(c.AvroPath)) is { } previous)
        {
            return previous with { Reused = true };
        }

        var bytes = progress.Bytes($"converting {raw.Name}", length);
        // Written under names of this process and moved into place at the end: an interrupted run leaves no half file to
        // reuse, and two runs sharing the work folder never write the same file.
        using var avroPartial = new TemporaryFile(options.WorkDirectory, stem, ".avro");
        using var rejectsPartial = new TemporaryFile(options.WorkDirectory, stem, ".rejects.jsonl");
        ConvertResult result;
        string fileSha256;
        using (var file = raw.OpenFile())
        using (var hashing = new HashingStream(file))
        {
            if (loadedStart is { } start)
            {
                SkipLoadedStart(hashing, start.Bytes, raw.Name); // hashed, not converted again
            }
            using var input = raw.Decompress(hashing);
            // A load is known by the content: a .gz file by what it inflates to, so logrotate's access.log.1 and the
            // access.log.2.gz it becomes are one load.
            using var content = raw.IsGzip ? new HashingStream(input) : null;
            using var output = new FileStream(avroPartial.Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            using var rejects = new StreamWriter(rejectsPartial.Path);
            // Gzip streams report decompressed bytes; the bar is then approximate, which is fine for a progress display.
            result = RawConverter.Convert(raw.Format!, (Stream?)content ?? input, raw.SourceName, output, options.Codec, rejects, bytes, ct,
                lineNumberOffset: loadedStart?.Lines ?? 0, rawContent: content ?? hashing, startsWithHeader: loadedStart is null);
            hashing.CopyTo(Stream.Null);
            fileSha256 = hashing.HashSoFar();
        }
        progress.Done($"converting {raw.Name}");
        return Finish(raw, PathFor(result.RawSha256, ".avro"), PathFor(result.RawSha256, ".rejects.jsonl"),
            PathFor(result.RawSha256, ".counts.json"), result, avroPartial, rejectsPartial, loadedStart, fileSha256);
    }

    /// <summary>
    /// The largest earlier load of a file of this name whose content this file starts with, or null. The loaded part must
    /// end with a line break: one that ended inside a line (the file was read while a line was being written) took that
    /// line in half, and converting the rest would load its other half as a line of its own.
    /// </summary>
    private static async Task<RawExtent?> LoadedStartAsync(InputFile raw, long length, StagingLoader loader, CancellationToken ct)
    {
        foreach (var (hash, (bytes, lines)) in await loader.EarlierExtentsAsync(raw.SourceName, length, ct))
        {
            using var file = raw.OpenFile();
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            long left = bytes;
            var last = (byte)0;
            while (left > 0 && await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct) is var n and > 0)
            {
                sha.AppendData(buffer, 0, n);
                last = buffer[n - 1];
                left -= n;
            }
            if (left > 0 || Convert.ToHexStringLower(sha.GetHashAndReset()) != hash)
            {
                continue;
            }
            if (last != (byte)'\n' && bytes < length && await NextByteAsync(file, ct) == (byte)'\n')
            {
                // the loaded part ended without a line break, and the line break came next: its last line was complete
                return new RawExtent(bytes + 1, lines);
            }
            if (last != (byte)'\n')
            {
                throw new WarehouseException($"{raw.Name}: it grew since line {lines:N0} was loaded, but that load ended inside a line " +
                    "(the file was read while the line was being written); load the new lines under another file name");
            }
            return new RawExtent(bytes, lines);
        }
        return null;
    }

    private static async Task<int> NextByteAsync(Stream stream, CancellationToken ct)
    {
        var one = new byte[1];
        return await stream.ReadAsync(one, ct) == 1 ? one[0] : -1;
    }

    /// <summary>Reads (and so hashes) the first <paramref name="bytes"/> bytes, which an earlier load took in.</summary>
    private static void SkipLoadedStart(Stream stream, long bytes, string name)
    {
        var buffer = new byte[1 << 20];
        while (bytes > 0)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes));
            if (n == 0)
            {
                throw new WarehouseException($"{name}: the file shrank while it was read");
            }
            bytes -= n;
        }
    }

    private static ConvertedFile? ReadCounts(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ConvertedFile>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null; // written by an older version or cut short: convert again
        }
    }

    /// <summary>Moves a finished conversion's temporary files into place and writes its counts sidecar (also via a move).</summary>
    /// <param name="loadedStart">The part of a grown file an earlier load took in (only the rest was converted); null: all of it.</param>
    /// <param name="fileSha256">The file's bytes as on disk, when they differ from what was hashed as content (.gz).</param>
    private static ConvertedFile Finish(InputFile raw, string avroPath, string rejectsPath, string countsPath, ConvertResult result,
        TemporaryFile avroPartial, TemporaryFile rejectsPartial, RawExtent? loadedStart = null, string? fileSha256 = null)
    {
        avroPartial.MoveTo(avroPath);
        Dictionary<string, long>? reasons = null;
        if (result.Rejected > 0)
        {
            reasons = RejectReasons.CountFile(rejectsPartial.Path);
            rejectsPartial.MoveTo(rejectsPath);
        }
        else
        {
            rejectsPartial.Dispose();
        }
        var converted = new ConvertedFile(raw.SourceName, raw.Format!, avroPath, result.LinesRead, result.RecordsWritten, result.Rejected,
            result.BlankSkipped, result.Rejected > 0 ? rejectsPath : null, Reused: false, raw.Location, reasons)
        {
            RawSha256 = result.RawSha256,
            FileSha256 = fileSha256,
            AfterLine = loadedStart?.Lines,
            // how much of a plain local file this load takes in, so that the next run can load what is appended after it
            RawExtent = raw.IsGzip || raw.IsRemote ? null
                : new RawExtent((loadedStart?.Bytes ?? 0) + result.BytesRead, (loadedStart?.Lines ?? 0) + result.LinesRead + result.HeaderLines),
        };
        using var countsPartial = new TemporaryFile(Path.GetDirectoryName(countsPath)!, Path.GetFileNameWithoutExtension(raw.SourceName), ".counts.json");
        File.WriteAllText(countsPartial.Path, JsonSerializer.Serialize(converted));
        countsPartial.MoveTo(countsPath);
        return converted;
    }

    /// <summary>An Avro file waiting to be loaded, with the identity of the remote object it came from (null: local).</summary>
    private sealed record PendingLoad(string AvroPath, LoadIdentity? Identity, IReadOnlyDictionary<string, long>? RejectReasons,
        ConvertedFile? Converted = null);

    /// <summary>
    /// Converts a remote object while it downloads. Known version: skipped when already loaded (nothing is read), reused
    /// when already converted. Each attempt rewrites the .partial files from the start, so a download that breaks and is
    /// read again never leaves rows of the broken attempt behind.
    /// </summary>
    private async Task<PendingLoad?> ConvertRemoteAsync(InputFile raw, RunOptions options, RemoteReader remote, StagingLoader loader,
        RunSummary summary, CancellationToken ct)
    {
        var identity = raw.Remote!.Version is { } version ? LoadIdentity.OfRemote(raw.Location, version) : null;
        var stem = Path.GetFileNameWithoutExtension(raw.SourceName);
        string PathFor(LoadIdentity id, string suffix) => Path.Combine(options.WorkDirectory, $"{stem}.{id.Hash[..16]}{suffix}");
        if (identity is not null)
        {
            if (await loader.IsLoadedAsync(identity, ct))
            {
                summary.AlreadyLoadedRemote.Add(raw.Location);
                return null;
            }
            if (File.Exists(PathFor(identity, ".avro")) && File.Exists(PathFor(identity, ".counts.json")))
            {
                var previous = JsonSerializer.Deserialize<ConvertedFile>(File.ReadAllText(PathFor(identity, ".counts.json")))!;
                var reused = previous with { AvroPath = PathFor(identity, ".avro"), Reused = true };
                summary.Converted.Add(reused);
                return new PendingLoad(reused.AvroPath, identity, reused.RejectReasons, reused);
            }
        }

        using var avroPartial = new TemporaryFile(options.WorkDirectory, stem, ".avro");
        using var rejectsPartial = new TemporaryFile(options.WorkDirectory, stem, ".rejects.jsonl");
        string? contentHash = null;
        var result = await remote.ReadAsync(raw, (stream, token) => Task.Run(() =>
        {
            var bytes = progress.Bytes($"converting {raw.Location}", raw.Remote.Length ?? 0);
            using var hashing = new HashingStream(stream);
            using var output = new FileStream(avroPartial.Path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            using var rejects = new StreamWriter(rejectsPartial.Path, append: false);
            var converted = RawConverter.Convert(raw.Format!, hashing, raw.SourceName, output, options.Codec, rejects, bytes, token,
                rawContent: hashing);
            contentHash = converted.RawSha256;
            return converted;
        }, token), ct);
        progress.Done($"converting {raw.Location}");

        if (identity is null)
        {
            // The server told no version: the bytes just read are the version.
            identity = LoadIdentity.OfRemote(raw.Location, "sha256:" + contentHash);
            if (await loader.IsLoadedAsync(identity, ct))
            {
                summary.AlreadyLoadedRemote.Add(raw.Location);
                return null;
            }
        }
        var done = Finish(raw, PathFor(identity, ".avro"), PathFor(identity, ".rejects.jsonl"), PathFor(identity, ".counts.json"), result, avroPartial, rejectsPartial);
        summary.Converted.Add(done);
        return new PendingLoad(done.AvroPath, identity, done.RejectReasons, done);
    }

    /// <summary>A remote .avro file: copied to the work folder (streamed, retried from the start) and loaded under the object's identity.</summary>
    private static async Task<PendingLoad?> FetchRemoteAvroAsync(InputFile avro, RunOptions options, RemoteReader remote, StagingLoader loader,
        RunSummary summary, CancellationToken ct)
    {
        var identity = avro.Remote!.Version is { } version ? LoadIdentity.OfRemote(avro.Location, version) : null;
        if (identity is not null && await loader.IsLoadedAsync(identity, ct))
        {
            summary.AlreadyLoadedRemote.Add(avro.Location);
            return null;
        }
        using var partial = new TemporaryFile(options.WorkDirectory, Path.GetFileNameWithoutExtension(avro.Name), ".avro");
        var hash = await remote.ReadAsync(avro, async (stream, token) =>
        {
            using var hashing = new HashingStream(stream);
            await using (var output = new FileStream(partial.Path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                await hashing.CopyToAsync(output, token);
            }
            return hashing.HashSoFar();
        }, ct);
        identity ??= LoadIdentity.OfRemote(avro.Location, "sha256:" + hash);
        var path = Path.Combine(options.WorkDirectory, $"{Path.GetFileNameWithoutExtension(avro.Name)}.{identity.Hash[..16]}.avro");
        partial.MoveTo(path);
        return new PendingLoad(path, identity, null);
    }

    /// <summary>A remote mapping CSV is small: read (with retries) into pairs, then loaded under the object's identity.</summary>
    private static async Task<LoadResult> LoadRemoteMappingAsync(InputFile mapping, RemoteReader remote, StagingLoader loader,
        CancellationToken ct)
    {
        var (pairs, hash) = await remote.ReadAsync(mapping, (stream, token) =>
        {
            using var hashing = new HashingStream(stream);
            using var reader = new StreamReader(hashing);
            var read = StagingLoader.ReadMapping(reader, mapping.SourceName);
            return Task.FromResult((read, hashing.HashSoFar()));
        }, ct);
        var identity = LoadIdentity.OfRemote(mapping.Location, mapping.Remote!.Version ?? "sha256:" + hash);
        return await loader.LoadMappingAsync(pairs, identity, ct);
    }

    private static async Task<TimeSpan> TimedAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed;
    }

    private async Task CountAsync(RunSummary summary, CancellationToken ct)
    {
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        foreach (var source in Sources.All)
        {
            summary.StagingRows[source.Name] = await ScalarAsync(connection, $"select count(*) from {source.StagingTable}", ct);
        }
        summary.StagingRows[StagingLoader.MappingSource] = await ScalarAsync(connection, "select count(*) from staging.campaign_reward_mapping", ct);
        await using (var sessions = new NpgsqlCommand("select source, count(*) from core.sessions group by source", connection))
        await using (var reader = await sessions.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                summary.Sessions[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        foreach (var mart in MartCatalog.Names)
        {
            var watch = Stopwatch.StartNew();
            summary.MartRows[mart] = await ScalarAsync(connection, $"select count(*) from marts.{mart}", ct);
            summary.MartElapsed[mart] = watch.Elapsed;
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return System.Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}

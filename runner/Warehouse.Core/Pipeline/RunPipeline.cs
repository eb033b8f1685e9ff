using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Database;
using Warehouse.Core.Load;
using Warehouse.Core.Marts;
using Warehouse.Core.Migrations;
using Warehouse.Core.Refresh;

namespace Warehouse.Core.Pipeline;

public sealed record RunOptions
{
    public required string InputDirectory { get; init; }
    /// <summary>Expected mart CSVs; null means INPUT/expected when that folder exists.</summary>
    public string? ExpectedDirectory { get; init; }
    /// <summary>Where converted Avro files and rejects are kept between runs.</summary>
    public required string WorkDirectory { get; init; }
    public required MigrationOptions Migrations { get; init; }
    public IReadOnlyList<(string Source, int Seconds)> SessionGaps { get; init; } = [];
    public AvroCodec Codec { get; init; } = AvroCodec.Deflate;
}

/// <summary>Reports progress of the long stages: (what, bytes done, bytes in all).</summary>
public interface IRunProgress
{
    void Stage(string name);
    IProgress<long> Bytes(string what, long total);
    void Done(string what);
}

/// <summary>
/// The main job: migrate, convert every recognised raw file to Avro, load Avro and mapping files into staging, refresh,
/// and verify against expected fixtures. Every step is idempotent: a raw file already converted is not converted again
/// (its Avro is kept under the work folder by content hash) and a file already loaded is not loaded again.
/// </summary>
public sealed class RunPipeline(string connectionString, TextWriter log, IRunProgress progress)
{
    public async Task<RunSummary> RunAsync(RunOptions options, CancellationToken ct = default)
    {
        var summary = new RunSummary();
        var stopwatch = Stopwatch.StartNew();
        void EndStage(string stage)
        {
            summary.Stages.Add((stage, stopwatch.Elapsed));
            stopwatch.Restart();
        }

        progress.Stage("migrate");
        await new MigrationRunner(connectionString, options.Migrations).MigrateAsync(log, dryRun: false, ct);
        EndStage("migrate");

        var inputs = InputDiscovery.Scan(options.InputDirectory);
        summary.Skipped.AddRange(inputs.Where(i => i.Kind == InputKind.Skipped).Select(i => i.Name));

        progress.Stage("convert");
        Directory.CreateDirectory(options.WorkDirectory);
        var avroFiles = inputs.Where(i => i.Kind == InputKind.Avro).Select(i => i.Path).ToList();
        foreach (var raw in inputs.Where(i => i.Kind == InputKind.Raw))
        {
            var converted = ConvertOnce(raw, options, ct);
            summary.Converted.Add(converted);
            avroFiles.Add(converted.AvroPath);
        }
        EndStage("convert");

        progress.Stage("load");
        var loader = new StagingLoader(connectionString);
        foreach (var mapping in inputs.Where(i => i.Kind == InputKind.Mapping))
        {
            summary.Loaded.Add(await loader.LoadMappingAsync(mapping.Path, ct));
        }
        foreach (var avro in avroFiles)
        {
            summary.Loaded.Add(await loader.LoadAvroAsync(avro, ct));
        }
        EndStage("load");

        progress.Stage("refresh");
        await new Refresher(connectionString).RefreshAsync(options.SessionGaps, ct);
        EndStage("refresh");

        progress.Stage("count");
        await CountAsync(summary, ct);
        EndStage("sessions and marts");

        var expected = options.ExpectedDirectory ?? Path.Combine(options.InputDirectory, "expected");
        if (options.ExpectedDirectory is not null || Directory.Exists(expected))
        {
            progress.Stage("verify");
            summary.Verification = await new MartVerifier(connectionString).VerifyAsync(expected, ct);
            EndStage("verify");
        }
        return summary;
    }

    /// <summary>Converts a raw file unless an Avro file of the same raw content is already in the work folder.</summary>
    private ConvertedFile ConvertOnce(InputFile raw, RunOptions options, CancellationToken ct)
    {
        var hash = FileHash.Sha256(raw.Path)[..16];
        var stem = Path.GetFileNameWithoutExtension(raw.SourceName);
        var avroPath = Path.Combine(options.WorkDirectory, $"{stem}.{hash}.avro");
        var rejectsPath = Path.Combine(options.WorkDirectory, $"{stem}.{hash}.rejects.jsonl");
        var countsPath = Path.Combine(options.WorkDirectory, $"{stem}.{hash}.counts.json");
        if (File.Exists(avroPath) && File.Exists(countsPath))
        {
            var previous = JsonSerializer.Deserialize<ConvertedFile>(File.ReadAllText(countsPath))!;
            return previous with { AvroPath = avroPath, Reused = true };
        }

        var length = new FileInfo(raw.Path).Length;
        var bytes = progress.Bytes($"converting {raw.Name}", length);
        ConvertResult result;
        // Written under temporary names and moved into place at the end: an interrupted run leaves no half file to reuse.
        using (var input = raw.OpenRead())
        using (var output = new FileStream(avroPath + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var rejects = new StreamWriter(rejectsPath + ".partial"))
        {
            // Gzip streams report decompressed bytes; the bar is then approximate, which is fine for a progress display.
            result = RawConverter.Convert(raw.Format!, input, raw.SourceName, output, options.Codec, rejects, bytes, ct);
        }
        progress.Done($"converting {raw.Name}");
        File.Move(avroPath + ".partial", avroPath, overwrite: true);
        if (result.Rejected > 0)
        {
            File.Move(rejectsPath + ".partial", rejectsPath, overwrite: true);
        }
        else
        {
            File.Delete(rejectsPath + ".partial");
        }
        var converted = new ConvertedFile(raw.SourceName, raw.Format!, avroPath, result.LinesRead, result.RecordsWritten, result.Rejected,
            result.BlankSkipped, result.Rejected > 0 ? rejectsPath : null, Reused: false);
        File.WriteAllText(countsPath, JsonSerializer.Serialize(converted));
        return converted;
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
            summary.MartRows[mart] = await ScalarAsync(connection, $"select count(*) from marts.{mart}", ct);
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return System.Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}

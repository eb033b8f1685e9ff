using System.CommandLine;
using System.Text;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Pipeline;
using Warehouse.Core.Remote;

namespace Warehouse.Cli.Commands;

/// <summary>
/// <c>warehouse convert --format FORMAT INPUT -o OUTPUT.avro [--codec C] [--rejects R.jsonl]</c>: streams a raw
/// file to Avro. Rejected lines do not fail the command (they are counted and written to the rejects file); the
/// output appears only when the conversion finished (written to a temporary file, then renamed).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = $"Raw format: {string.Join(", ", RawFormat.Names)}",
            Required = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Avro file to write", Required = true };
        var codec = new Option<string>("--codec")
        {
            Description = "Block compression: null, deflate or snappy",
            DefaultValueFactory = _ => "deflate",
        };
        codec.AcceptOnlyFromAmong("null", "deflate", "snappy");
        var rejects = new Option<string?>("--rejects")
        {
            Description = "Where rejected lines go as JSON lines (default: OUTPUT with .rejects.jsonl, written only when there are rejects)",
        };
        var input = new Argument<string>("input")
        {
            Description = "Raw input (UTF-8): a local file, a .gz file, an http(s):// URL, or s3://bucket/key (with --s3-endpoint for S3-compatible stores)",
        };

        var command = new Command("convert", "Convert a raw log file to Avro with its hand-written schema (models/*.avsc)");
        command.Options.Add(format);
        command.Options.Add(output);
        command.Options.Add(codec);
        command.Options.Add(rejects);
        command.Options.Add(RemoteCli.S3Endpoint);
        command.Arguments.Add(input);
        command.SetAction((result, ct) => RunAsync(
            result.GetValue(format)!, result.GetValue(input)!, result.GetValue(output)!,
            result.GetValue(codec)!, result.GetValue(rejects), RemoteCli.Options(result), ct));
        return command;
    }

    private static async Task<int> RunAsync(string format, string inputPath, string outputPath, string codecName, string? rejectsPath,
        RemoteOptions remoteOptions, CancellationToken ct)
    {
        if (!RawFormat.Names.Contains(format))
        {
            throw new WarehouseException($"unknown format '{format}' (expected one of: {string.Join(", ", RawFormat.Names)})");
        }
        if (!InputDiscovery.IsRemote(inputPath))
        {
            LocalFiles.RequireRegular(inputPath);
        }
        var codec = codecName switch
        {
            "null" => AvroCodec.Null,
            "snappy" => AvroCodec.Snappy,
            _ => AvroCodec.Deflate,
        };
        var explicitRejects = rejectsPath is not null;
        var finalRejects = Path.GetFullPath(rejectsPath ?? Path.ChangeExtension(outputPath, ".rejects.jsonl"));
        var finalOutput = Path.GetFullPath(outputPath);
        foreach (var target in (string[])[finalOutput, finalRejects])
        {
            if (!Directory.Exists(Path.GetDirectoryName(target)))
            {
                throw new WarehouseException($"cannot write {target}: folder {Path.GetDirectoryName(target)} does not exist");
            }
        }
        var tempOutput = TempPathNextTo(finalOutput);
        var tempRejects = TempPathNextTo(finalRejects);
        try
        {
            // Each attempt writes the temporary files from the start: a remote read that breaks and is retried counts nothing twice.
            ConvertResult ConvertFrom(Stream inputStream, string sourceName, CancellationToken token)
            {
                using var avro = Create(tempOutput, finalOutput);
                using var rejectsWriter = new StreamWriter(Create(tempRejects, finalRejects), new UTF8Encoding(false), 64 * 1024);
                return RawConverter.Convert(format, inputStream, sourceName, avro, codec, rejectsWriter, null, token);
            }
            ConvertResult counts;
            if (InputDiscovery.IsRemote(inputPath))
            {
                using var remote = new RemoteReader(remoteOptions, Console.Error);
                var objects = await InputDiscovery.ScanAsync(inputPath, remote, ct);
                if (objects.Count != 1)
                {
                    throw new WarehouseException($"{inputPath}: convert reads one object, this names {objects.Count}; use run for a prefix");
                }
                var single = objects[0];
                counts = await remote.ReadAsync(single, (stream, token) => Task.Run(() => ConvertFrom(stream, single.SourceName, token), token), ct);
            }
            else
            {
                using var inputStream = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                Stream decoded = inputPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                    ? new System.IO.Compression.GZipStream(inputStream, System.IO.Compression.CompressionMode.Decompress)
                    : inputStream;
                using (decoded)
                {
                    counts = ConvertFrom(decoded, inputPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? inputPath[..^3] : inputPath, ct);
                }
            }
            File.Move(tempOutput, finalOutput, overwrite: true);
            if (counts.Rejected > 0 || explicitRejects)
            {
                File.Move(tempRejects, finalRejects, overwrite: true);
            }
            else
            {
                File.Delete(tempRejects);
                // A rejects file left by an earlier run of the same output would now describe the wrong data.
                File.Delete(finalRejects);
            }

            var header = counts.HeaderLines > 0 ? $" (after the header line)" : "";
            Console.WriteLine($"converted {counts.LinesRead} lines: {counts.RecordsWritten} records, {counts.Rejected} rejected, {counts.BlankSkipped} blank{header}");
            if (counts.Rejected > 0)
            {
                Console.WriteLine($"rejected lines written to {finalRejects}");
            }
            return ExitCodes.Ok;
        }
        finally
        {
            DeleteQuietly(tempOutput);   // nothing left after a successful move
            DeleteQuietly(tempRejects);
        }
    }

    /// <summary>Cleanup must not replace the real error (e.g. a missing folder) with its own.</summary>
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file was never created, or cannot be: either way there is nothing of ours to remove.
        }
    }

    /// <summary>A hidden temporary name in the target's folder, so the final rename stays on one file system.</summary>
    private static string TempPathNextTo(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");

    private static FileStream Create(string tempPath, string finalPath)
    {
        try
        {
            return new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WarehouseException($"cannot write {finalPath}: {e.Message}", e);
        }
    }
}

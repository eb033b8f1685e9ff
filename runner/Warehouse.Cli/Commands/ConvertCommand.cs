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
/// output appears only when the conversion finished (written to a temporary file, then renamed; a device or FIFO
/// given as the output is written in place).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = $"Raw format: {string.Join(", ", RawFormat.Names)} (apache and nginx are names of combined)",
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
        command.Options.Add(SharedOptions.MaxRejectRate);
        command.Arguments.Add(input);
        command.SetAction((result, ct) => RunAsync(
            result.GetValue(format)!, result.GetValue(input)!, result.GetValue(output)!,
            result.GetValue(codec)!, result.GetValue(rejects), RemoteCli.Options(result), result.GetValue(SharedOptions.MaxRejectRate), ct));
        return command;
    }

    private static async Task<int> RunAsync(string format, string inputPath, string outputPath, string codecName, string? rejectsPath,
        RemoteOptions remoteOptions, double maxRejectRate, CancellationToken ct)
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
        var output = new OutputTarget(Path.GetFullPath(outputPath));
        // A device or FIFO as the output has no folder to put a rejects file beside: rejects are kept only with --rejects.
        var rejects = rejectsPath is null && output.InPlace
            ? null
            : new OutputTarget(Path.GetFullPath(rejectsPath ?? Path.ChangeExtension(outputPath, ".rejects.jsonl")));
        try
        {
            // Each attempt writes the targets from the start: a remote read that breaks and is retried counts nothing twice.
            ConvertResult ConvertFrom(Stream inputStream, string sourceName, CancellationToken token, HashingStream? rawContent = null)
            {
                using var avro = output.Open();
                using var rejectsWriter = rejects is null
                    ? TextWriter.Null
                    : new StreamWriter(rejects.Open(), new UTF8Encoding(false), 64 * 1024);
                return RawConverter.Convert(format, inputStream, sourceName, avro, codec, rejectsWriter, null, token, rawContent: rawContent);
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
                using var hashing = new HashingStream(inputStream);
                Stream decoded = inputPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                    ? new GzipContent(hashing, () => File.OpenRead(inputPath), Path.GetFileName(inputPath))
                    : hashing;
                using (decoded)
                {
                    // known by its content, as run knows it: a .gz file by what it inflates to (hashed by the converter)
                    counts = ConvertFrom(decoded, inputPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? inputPath[..^3] : inputPath, ct,
                        inputPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? null : hashing);
                }
            }
            output.Commit();
            if (rejects is not null && (counts.Rejected > 0 || explicitRejects))
            {
                rejects.Commit();
            }
            else if (rejects is not null)
            {
                rejects.Discard();
                // A rejects file left by an earlier run of the same output would now describe the wrong data.
                File.Delete(rejects.FinalPath);
            }

            var header = counts.HeaderLines > 0 ? $" (after the header line)" : "";
            Console.WriteLine($"converted {counts.LinesRead} lines: {counts.RecordsWritten} records, {counts.Rejected} rejected, {counts.BlankSkipped} blank{header}");
            if (counts.Rejected > 0)
            {
                Console.WriteLine(rejects is null
                    ? "rejected lines were not kept: give --rejects FILE to keep them"
                    : $"rejected lines written to {rejects.FinalPath}");
            }
            // A file that rejects most of its lines is most likely not the format named: as run does, that is not a success.
            var converted = new ConvertedFile(Path.GetFileName(inputPath), format, output.FinalPath, counts.LinesRead, counts.RecordsWritten,
                counts.Rejected, counts.BlankSkipped, rejects?.FinalPath, Reused: false,
                RejectReasons: counts.Rejected > 0 && rejects is not null ? RejectReasons.CountFile(rejects.FinalPath) : null);
            if (RejectLimit.RateOf(converted) > maxRejectRate)
            {
                await Console.Error.WriteLineAsync($"error: {RejectLimit.Describe(converted, maxRejectRate).Replace("; not loaded.", "; is it the format named?", StringComparison.Ordinal)}");
                return ExitCodes.CheckFailed;
            }
            return ExitCodes.Ok;
        }
        finally
        {
            output.Discard();   // nothing is left of a temporary file after a successful commit
            rejects?.Discard();
        }
    }

    /// <summary>
    /// Where a result goes. A regular file (or a new one) is written under a temporary name and renamed into place, so
    /// it appears only complete. Anything else that exists (a device such as /dev/null, a FIFO) is written in place:
    /// renaming over it would replace the node itself with a regular file. Write errors name the target.
    /// </summary>
    private sealed class OutputTarget
    {
        private readonly TemporaryFile? _temporary;

        public OutputTarget(string finalPath)
        {
            FinalPath = finalPath;
            var kind = LocalFiles.KindOf(finalPath);
            if (kind == FileKind.Directory)
            {
                throw new WarehouseException($"cannot write {finalPath}: it is a directory");
            }
            if (!Directory.Exists(Path.GetDirectoryName(finalPath)))
            {
                throw new WarehouseException($"cannot write {finalPath}: folder {Path.GetDirectoryName(finalPath)} does not exist");
            }
            // Hidden (a leading dot) beside the target, where the user looks.
            _temporary = kind is FileKind.Regular or FileKind.Missing
                ? new TemporaryFile(Path.GetDirectoryName(finalPath)!, "." + Path.GetFileName(finalPath))
                : null;
        }

        public string FinalPath { get; }

        /// <summary>The target exists and is not a regular file: written directly, never renamed over.</summary>
        public bool InPlace => _temporary is null;

        public Stream Open()
        {
            try
            {
                var stream = _temporary is null
                    ? new FileStream(FinalPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16)
                    : new FileStream(_temporary.Path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                return new WriteErrorsNamed(stream, FinalPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw WriteErrorsNamed.Error(FinalPath, e);
            }
        }

        public void Commit() => _temporary?.MoveTo(FinalPath);

        /// <summary>Removes the temporary file, if any (nothing is left of it after a commit).</summary>
        public void Discard() => _temporary?.Dispose();
    }

    /// <summary>Turns a failed write, flush or close (e.g. ENOSPC on a full disk) into one line naming the target.</summary>
    private sealed class WriteErrorsNamed(Stream inner, string path) : Stream
    {
        public static WarehouseException Error(string path, Exception e) =>
            new($"cannot write {path}: {e.Message.Replace($" : '{path}'", "", StringComparison.Ordinal)}", e);

        public override bool CanRead => false;
        // Seekable when the file is: the converter writes the raw content's hash into the header at the end.
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => Seek(value, SeekOrigin.Begin); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error(path, e);
            }
        }

        public override void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error(path, e);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin)
        {
            try
            {
                return inner.Seek(offset, origin);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error(path, e);
            }
        }
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            try
            {
                if (disposing)
                {
                    inner.Dispose();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error(path, e);
            }
            finally
            {
                base.Dispose(disposing);
            }
        }
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Warehouse.Core.Avro;
using Warehouse.Core.Remote;

namespace Warehouse.Core.Conversion;

/// <summary>What a conversion did. Every data line is accounted for: <c>LinesRead == RecordsWritten + Rejected + BlankSkipped</c>.</summary>
/// <param name="LinesRead">Data lines read; a CSV header is not a data line (it is <paramref name="HeaderLines"/>).</param>
/// <param name="HeaderLines">1 for a format with a header line, else 0.</param>
/// <param name="RawSha256">Lower-case hex SHA-256 of the raw bytes this conversion read (before any decompression): the
/// identity a load of the result is known by, also stored in the Avro file's metadata as <see cref="RawConverter.RawSha256Key"/>.</param>
public sealed record ConvertResult(long LinesRead, long RecordsWritten, long Rejected, long BlankSkipped, int HeaderLines, long BytesRead,
    string RawSha256 = "");

/// <summary>
/// Streams a raw file to an Avro container file of its format's schema, line by line in constant memory.
/// A bad line never stops the conversion: it is counted and, when a rejects writer is given, written there as one
/// JSON line <c>{"line": 12, "raw": "...", "reason": "..."}</c>. Only a problem with the file as a whole (an unknown
/// format, a wrong CSV header) fails it, as a <see cref="WarehouseException"/>. A line whose record the staging table would
/// refuse (see <see cref="StorableRecordCheck"/>) is a reject too, so a converted file always loads.
/// </summary>
public static class RawConverter
{
    /// <summary>Avro metadata key holding the hex SHA-256 of the raw bytes converted: <c>load</c> knows the file by it.</summary>
    public const string RawSha256Key = "warehouse.raw_sha256";

    /// <summary>The metadata value written first and replaced at the end, when the hash is known (same length).</summary>
    private static readonly string PendingHash = new('0', 64);

    private static readonly JavaScriptEncoder RejectEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <param name="format">A name from <see cref="RawFormat.Names"/>.</param>
    /// <param name="sourceFileName">Stored in every record's source_file (directories are dropped).</param>
    /// <param name="avroOutput">Receives the container file; left open.</param>
    /// <param name="rejects">Receives one JSON line per rejected line; null to only count them.</param>
    /// <param name="bytesRead">Reports the raw bytes consumed so far, after each buffer read.</param>
    /// <param name="lineNumberOffset">Added to every line number (source_line, rejects): a piece of a larger file cut
    /// out for a micro-batch keeps the numbers its lines have in the whole file.</param>
    /// <param name="startsWithHeader">False for the rest of a file whose start (and header) was converted before.</param>
    /// <param name="rawContent">The stream the raw bytes were read through, under any decompression of
    /// <paramref name="input"/>; its hash is the result's <see cref="ConvertResult.RawSha256"/>. Null: <paramref name="input"/> itself is hashed.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ConvertResult Convert(string format, Stream input, string sourceFileName, Stream avroOutput,
        AvroCodec codec = AvroCodec.Deflate, TextWriter? rejects = null, IProgress<long>? bytesRead = null,
        CancellationToken cancellationToken = default, long lineNumberOffset = 0, HashingStream? rawContent = null,
        bool startsWithHeader = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(avroOutput);
        var parser = RawFormat.Create(format, sourceFileName);
        using var ownHashing = rawContent is null ? new HashingStream(input) : null;
        rawContent ??= ownHashing!;
        var reader = new Utf8LineReader(ownHashing ?? input, bytesRead);
        var metadata = new Dictionary<string, string>
        {
            ["warehouse.format"] = parser.Name,
            ["warehouse.source_file"] = parser.SourceFile,
        };
        // The hash is known only once the input is read: a seekable output gets it written over a placeholder at the end.
        if (avroOutput.CanSeek)
        {
            metadata[RawSha256Key] = PendingHash;
        }
        using var writer = new AvroContainerWriter(avroOutput, parser.SchemaJson, codec, metadata, leaveOpen: true);
        var encoder = writer.Encoder;
        var storable = StorableRecordCheck.ForSchema(parser.SchemaJson);

        var headerLines = 0;
        if (parser.HasHeader && startsWithHeader)
        {
            if (!reader.TryReadLine(out var header, out _))
            {
                throw new WarehouseException($"{parser.SourceFile}: the file is empty; a {parser.Name} file starts with its header line");
            }
            parser.CheckHeader(header);
            headerLines = 1;
        }

        long lines = 0, written = 0, rejected = 0, blank = 0;
        while (reader.TryReadLine(out var line, out var tooLong))
        {
            lines++;
            if ((lines & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            string? reason;
            if (tooLong)
            {
                reason = $"line is longer than {reader.MaxLineBytes} bytes (the raw text below is cut there)";
            }
            else if (IsBlank(line))
            {
                blank++;
                continue;
            }
            else
            {
                var recordStart = encoder.Length;
                reason = parser.TryWrite(line, reader.LineNumber + lineNumberOffset, encoder)
                    ?? storable.Check(encoder.WrittenSpan[recordStart..]);
                if (reason is null)
                {
                    writer.EndRecord();
                    written++;
                    continue;
                }
                writer.DiscardRecord();
            }
            rejected++;
            rejects?.WriteLine(RejectJson(reader.LineNumber + lineNumberOffset, line, reason));
        }
        cancellationToken.ThrowIfCancellationRequested();
        writer.Flush();
        // every byte of the raw file counts, also any a decompressor leaves after the compressed data ends
        rawContent.CopyTo(Stream.Null);
        var rawSha256 = rawContent.HashSoFar();
        if (avroOutput.CanSeek)
        {
            writer.ReplaceMetadataValue(RawSha256Key, rawSha256);
        }
        rejects?.Flush();
        return new ConvertResult(lines, written, rejected, blank, headerLines, reader.BytesRead, rawSha256);
    }

    /// <summary>One reject as a JSON line; the raw text is decoded leniently (invalid UTF-8 becomes U+FFFD).</summary>
    internal static string RejectJson(long lineNumber, ReadOnlySpan<byte> raw, string reason)
    {
        var text = Encoding.UTF8.GetString(raw);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"line\": {lineNumber}, \"raw\": \"{JsonEncodedText.Encode(text, RejectEncoder)}\", \"reason\": \"{JsonEncodedText.Encode(reason, RejectEncoder)}\"}}");
    }

    /// <summary>Only spaces, tabs (and a stray carriage return) — nothing to load and nothing wrong.</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Warehouse.Core.Avro;

/// <summary>
/// Writes an Avro 1.11 object container file, streaming: records are encoded into one reusable buffer and written
/// as a block (count, size, compressed data, sync marker) each time the buffer passes ~64 KB. A block never has zero
/// records. Fast path: write one record's fields through <see cref="Encoder"/> in schema order, then call
/// <see cref="EndRecord"/>. Generic path: <see cref="Append"/>.
/// </summary>
public sealed class AvroContainerWriter : IDisposable
{
    /// <summary>Encoded bytes after which a block is written (the usual Avro default).</summary>
    public const int BlockSizeBytes = 64 * 1024;

    private static readonly byte[] Magic = [(byte)'O', (byte)'b', (byte)'j', 1];

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly CompressionLevel _deflateLevel;
    private readonly byte[] _sync = new byte[16];
    private readonly MemoryStream _compressed = new();
    private readonly byte[] _blockHeader = new byte[20];
    private readonly Dictionary<string, (long Offset, int Length)> _metadataValues = [];
    private long _blockRecords;
    private int _completeLength;
    private bool _disposed;

    public AvroContainerWriter(Stream output, string schemaJson, AvroCodec codec = AvroCodec.Deflate,
                               IReadOnlyDictionary<string, string>? metadata = null, bool leaveOpen = false,
                               CompressionLevel deflateLevel = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schemaJson);
        if (!output.CanWrite)
        {
            throw new ArgumentException("the output stream is not writable", nameof(output));
        }
        Schema = AvroSchema.Parse(schemaJson);
        Codec = codec;
        _output = output;
        _leaveOpen = leaveOpen;
        _deflateLevel = deflateLevel;
        Encoder = new AvroEncoder(BlockSizeBytes + 16 * 1024);
        RandomNumberGenerator.Fill(_sync);
        WriteHeader(schemaJson, metadata);
    }

    public AvroSchema Schema { get; }

    public AvroCodec Codec { get; }

    /// <summary>Write ONE record's fields in schema order, then call <see cref="EndRecord"/>.</summary>
    public AvroEncoder Encoder { get; }

    /// <summary>Records completed so far (written or buffered).</summary>
    public long RecordCount { get; private set; }

    /// <summary>Marks the bytes written to <see cref="Encoder"/> since the previous record as one record.</summary>
    public void EndRecord()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _blockRecords++;
        RecordCount++;
        _completeLength = Encoder.Length;
        if (_completeLength >= BlockSizeBytes)
        {
            WriteBlock();
        }
    }

    /// <summary>
    /// Encodes a generic value shaped as <see cref="AvroContainerReader"/> returns it (an <see cref="AvroRecord"/>
    /// for a record schema). A value that does not match the schema is rejected with the field path and nothing of
    /// it is written.
    /// </summary>
    public void Append(object? datum)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Encoder.Length != _completeLength)
        {
            throw new InvalidOperationException("a record written through Encoder was not finished with EndRecord()");
        }
        try
        {
            AvroGenericWriter.Write(Encoder, Schema, datum);
        }
        catch
        {
            Encoder.Truncate(_completeLength);
            throw;
        }
        EndRecord();
    }

    /// <summary>
    /// Drops whatever was written to <see cref="Encoder"/> since the last <see cref="EndRecord"/>, e.g. when a
    /// converter finds a bad input line halfway through encoding it.
    /// </summary>
    public void DiscardRecord()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Encoder.Truncate(_completeLength);
    }

    /// <summary>
    /// Overwrites a metadata value given at construction with one of the same UTF-8 length, for a value known only at the
    /// end (a hash of the input). Needs a seekable output; call after <see cref="Flush"/>.
    /// </summary>
    public void ReplaceMetadataValue(string key, string value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bytes = Encoding.UTF8.GetBytes(value);
        if (!_output.CanSeek || !_metadataValues.TryGetValue(key, out var slot) || slot.Length != bytes.Length)
        {
            throw new InvalidOperationException($"metadata \"{key}\" can only be replaced in a seekable output by a value of the same length");
        }
        var end = _output.Position;
        _output.Position = slot.Offset;
        _output.Write(bytes);
        _output.Position = end;
        _output.Flush();
    }

    /// <summary>Writes the buffered records as a block and flushes the output stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteBlock();
        _output.Flush();
    }

    /// <summary>
    /// Writes the last block and flushes; closes the output unless leaveOpen. A record left unfinished (no
    /// <see cref="EndRecord"/>, typically because an exception is unwinding) is dropped, never written half.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            Encoder.Truncate(_completeLength);
            WriteBlock();
            _output.Flush();
        }
        finally
        {
            _compressed.Dispose();
            if (!_leaveOpen)
            {
                _output.Dispose();
            }
        }
    }

    private void WriteHeader(string schemaJson, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = new AvroEncoder(4096);
        header.WriteRaw(Magic);
        var entries = new List<KeyValuePair<string, byte[]>>
        {
            new("avro.schema", Encoding.UTF8.GetBytes(schemaJson)),
            new("avro.codec", Encoding.UTF8.GetBytes(AvroCodecNames.ToWireName(Codec))),
        };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (key.StartsWith("avro.", StringComparison.Ordinal))
            {
                throw new ArgumentException($"metadata key \"{key}\" is reserved for Avro itself", nameof(metadata));
            }
            entries.Add(new(key, Encoding.UTF8.GetBytes(value)));
        }
        var start = _output.CanSeek ? _output.Position : 0;
        header.WriteMapBlock(entries.Count);
        foreach (var (key, value) in entries)
        {
            header.WriteString(key);
            header.WriteBytes(value);
            _metadataValues[key] = (start + header.Length - value.Length, value.Length);
        }
        header.WriteMapEnd();
        header.WriteRaw(_sync);
        _output.Write(header.WrittenSpan);
    }

    private void WriteBlock()
    {
        if (_blockRecords == 0)
        {
            return; // never a count-0 block
        }
        var data = Encoder.WrittenSpan;
        ReadOnlySpan<byte> payload;
        Span<byte> crc = stackalloc byte[4];
        var trailer = 0;
        switch (Codec)
        {
            case AvroCodec.Null:
                payload = data;
                break;
            case AvroCodec.Deflate:
                _compressed.SetLength(0);
                using (var deflate = new DeflateStream(_compressed, _deflateLevel, leaveOpen: true))
                {
                    deflate.Write(data);
                }
                payload = _compressed.GetBuffer().AsSpan(0, (int)_compressed.Length);
                break;
            case AvroCodec.Snappy:
                // Avro's snappy block: the compressed bytes, then a big-endian CRC32 of the uncompressed bytes.
                payload = Snappy.Compress(data);
                BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(data));
                trailer = 4;
                break;
            default:
                throw new InvalidOperationException($"unknown codec {Codec}");
        }
        var headerLength = WriteVarLong(_blockHeader, 0, _blockRecords);
        headerLength = WriteVarLong(_blockHeader, headerLength, payload.Length + trailer);
        _output.Write(_blockHeader, 0, headerLength);
        _output.Write(payload);
        _output.Write(crc[..trailer]);
        _output.Write(_sync);
        _blockRecords = 0;
        _completeLength = 0;
        Encoder.Reset();
    }

    private static int WriteVarLong(byte[] buffer, int pos, long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        while (n >= 0x80)
        {
            buffer[pos++] = (byte)(n | 0x80);
            n >>= 7;
        }
        buffer[pos++] = (byte)n;
        return pos;
    }
}

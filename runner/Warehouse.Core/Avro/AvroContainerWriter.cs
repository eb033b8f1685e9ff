using System.Text;
using Avro.File;
using Avro.Generic;
using ApacheSchema = Avro.Schema;

namespace Warehouse.Core.Avro;

/// <summary>
/// Writes an Avro object container file through Apache.Avro's <see cref="DataFileWriter{T}"/> (header, ~64 KB blocks, sync
/// markers, codecs from <see cref="AvroCodecs"/>). A record is encoded into <see cref="Encoder"/> first, fields in schema
/// order, and only a complete, checked record is appended (<see cref="EndRecord"/>): Apache's writer keeps the bytes of a
/// record that fails half-way in its block, so nothing that can fail runs inside its Append.
/// </summary>
public sealed class AvroContainerWriter : IDisposable
{
    /// <summary>Encoded bytes after which a block is written (the usual Avro default).</summary>
    public const int BlockSizeBytes = 64 * 1024;

    private readonly HeaderCopyStream _output;
    private readonly IFileWriter<AvroEncoder> _file;
    private readonly byte[] _header;
    private readonly long _headerStart;
    private bool _disposed;

    public AvroContainerWriter(Stream output, string schemaJson, AvroCodec codec = AvroCodec.Deflate,
                               IReadOnlyDictionary<string, string>? metadata = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schemaJson);
        if (!output.CanWrite)
        {
            throw new ArgumentException("the output stream is not writable", nameof(output));
        }
        Schema = AvroSchemas.Parse(schemaJson);
        Codec = codec;
        _headerStart = output.CanSeek ? output.Position : 0;
        _output = new HeaderCopyStream(output, leaveOpen);
        _file = DataFileWriter<AvroEncoder>.OpenWriter(new EncodedRecordWriter(Schema), _output, AvroCodecs.For(codec), leaveOpen: false);
        _file.SetSyncInterval(BlockSizeBytes);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (_file.IsReservedMeta(key))
            {
                throw new ArgumentException($"metadata key \"{key}\" is reserved for Avro itself", nameof(metadata));
            }
            _file.SetMeta(key, value);
        }
        _file.Flush(); // the header, now: its bytes are kept so that a metadata value can be replaced at the end
        _header = _output.StopCopying();
    }

    /// <summary>The schema as Apache.Avro parsed it; the file's header stores Apache's JSON of it (attributes kept, compacted).</summary>
    public ApacheSchema Schema { get; }

    public AvroCodec Codec { get; }

    /// <summary>Write ONE record's fields in schema order, then call <see cref="EndRecord"/> (or <see cref="DiscardRecord"/>).</summary>
    public AvroEncoder Encoder { get; } = new(4096);

    /// <summary>Records appended so far (written or buffered).</summary>
    public long RecordCount { get; private set; }

    /// <summary>Appends the bytes written to <see cref="Encoder"/> since the previous record as one record.</summary>
    public void EndRecord()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _file.Append(Encoder);
        Encoder.Reset();
        RecordCount++;
    }

    /// <summary>Drops whatever was written to <see cref="Encoder"/> since the last record, e.g. when a line turns out bad.</summary>
    public void DiscardRecord()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Encoder.Reset();
    }

    /// <summary>
    /// Overwrites a metadata value given at construction with one of the same UTF-8 length, for a value known only at the
    /// end (a hash of the input). Needs a seekable output; call after <see cref="Flush"/>.
    /// </summary>
    public void ReplaceMetadataValue(string key, string value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bytes = Encoding.UTF8.GetBytes(value);
        using var header = new AvroContainerReader(new MemoryStream(_header), "header");
        if (!_output.CanSeek || header.MetadataValueOffset(key) is not { } offset || header.Metadata[key].Length != bytes.Length)
        {
            throw new InvalidOperationException($"metadata \"{key}\" can only be replaced in a seekable output by a value of the same length");
        }
        var end = _output.Position;
        _output.Position = _headerStart + offset;
        _output.Write(bytes);
        _output.Position = end;
        _output.Flush();
    }

    /// <summary>Writes the buffered records as a block and flushes the output stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _file.Flush();
        _output.Flush();
    }

    /// <summary>Writes the last block and flushes; closes the output unless leaveOpen. An unfinished record is dropped.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _file.Dispose(); // Dispose only: Apache's Close() followed by Dispose() throws
    }

    /// <summary>Apache's writer calls this with the record's encoded bytes: they are the record.</summary>
    private sealed class EncodedRecordWriter(ApacheSchema schema) : DatumWriter<AvroEncoder>
    {
        public ApacheSchema Schema => schema;

        public void Write(AvroEncoder datum, global::Avro.IO.Encoder encoder) => encoder.WriteFixed(datum.Bytes, 0, datum.Length);
    }

    /// <summary>Passes everything through to the output, keeping a copy of what is written until <see cref="StopCopying"/>.</summary>
    private sealed class HeaderCopyStream(Stream inner, bool leaveOpen) : Stream
    {
        private MemoryStream? _copy = new();
        private bool _closed;

        public byte[] StopCopying()
        {
            var bytes = _copy!.ToArray();
            _copy = null;
            return bytes;
        }

        public override bool CanRead => false;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _copy?.Write(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _copy?.Write(buffer);
            inner.Write(buffer);
        }

        public override void WriteByte(byte value)
        {
            _copy?.WriteByte(value);
            inner.WriteByte(value);
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true; // Apache's writer closes and then disposes its stream
                inner.Flush();
                if (!leaveOpen)
                {
                    inner.Dispose();
                }
            }
            base.Dispose(disposing);
        }
    }
}

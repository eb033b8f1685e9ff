using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Avro;

namespace Warehouse.Core.Avro;

/// <summary>
/// Reads an Avro 1.11 object container file, streaming one block at a time in constant memory. Strict: the magic,
/// the sync marker after every block, each block's declared size against what the stream still holds, end of file
/// only at a block boundary. Blocks with zero records are tolerated. Every problem is a
/// <see cref="WarehouseException"/> whose message starts with the file name.
/// </summary>
public sealed class AvroContainerReader : IDisposable
{
    /// <summary>
    /// Largest block we accept, stored or decompressed: a thousand times the 64 KB blocks writers make (ours, Java's
    /// default), and a bound on memory, since a deflate bomb inflates about a thousandfold.
    /// </summary>
    public const int MaxBlockBytes = 64 * 1024 * 1024;

    /// <summary>Largest header metadata (schema, codec and user entries together): far above any real schema's size.</summary>
    public const int MaxHeaderBytes = 16 * 1024 * 1024;

    /// <summary>Most header metadata entries: real files have a handful (avro.schema, avro.codec and a few of their own).</summary>
    public const int MaxHeaderEntries = 1000;

    private static readonly byte[] Magic = [(byte)'O', (byte)'b', (byte)'j', 1];

    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private readonly string _source;
    private readonly long _startPosition;
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private readonly byte[] _sync = new byte[16];
    private readonly byte[] _blockSync = new byte[16];
    private readonly Dictionary<string, long> _metadataOffsets = new(StringComparer.Ordinal);
    private byte[] _inflated = [];
    private readonly MinEncodedSizes _minSizes = new();
    private int _readPos;
    private int _readLen;
    private long _consumed;
    private byte[] _block = new byte[64 * 1024];
    private long _blockNumber;
    private long _headerBytes;
    private bool _disposed;

    public AvroContainerReader(Stream input, bool leaveOpen = false)
        : this(input, input is FileStream fs ? Path.GetFileName(fs.Name) : "avro input", leaveOpen)
    {
    }

    /// <param name="input">The container file.</param>
    /// <param name="sourceName">Name used at the start of error messages (usually the file name).</param>
    /// <param name="leaveOpen">Leave <paramref name="input"/> open on dispose.</param>
    public AvroContainerReader(Stream input, string sourceName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sourceName);
        _input = input;
        _leaveOpen = leaveOpen;
        _source = sourceName;
        _startPosition = input.CanSeek ? input.Position : 0;
        try
        {
            var metadata = ReadHeader();
            Metadata = metadata;
            if (!metadata.TryGetValue("avro.schema", out var schemaBytes))
            {
                throw Error("the header has no avro.schema");
            }
            SchemaJson = DecodeUtf8(schemaBytes, "avro.schema");
            try
            {
                Schema = AvroSchemas.Parse(SchemaJson);
            }
            catch (WarehouseException ex)
            {
                throw new WarehouseException($"{_source}: {ex.Message}", ex);
            }
            string? codecName = metadata.TryGetValue("avro.codec", out var codecBytes)
                ? DecodeUtf8(codecBytes, "avro.codec")
                : null;
            try
            {
                Codec = AvroCodecNames.FromWireName(codecName);
            }
            catch (WarehouseException ex)
            {
                throw new WarehouseException($"{_source}: {ex.Message}", ex);
            }
        }
        catch
        {
            if (!_leaveOpen)
            {
                _input.Dispose();
            }
            throw;
        }
    }

    /// <summary>The writer's schema as Apache.Avro parses it; <see cref="SchemaJson"/> is the header's text.</summary>
    public Schema Schema { get; }

    public string SchemaJson { get; }

    public AvroCodec Codec { get; }

    public IReadOnlyDictionary<string, byte[]> Metadata { get; }

    /// <summary>Where <paramref name="key"/>'s metadata value starts, in bytes from the start of the file; null when absent.</summary>
    public long? MetadataValueOffset(string key) => _metadataOffsets.TryGetValue(key, out var offset) ? offset : null;

    /// <summary>Blocks read so far (including blocks with zero records).</summary>
    public long BlockCount => _blockNumber;

    /// <summary>
    /// The records, one block in memory at a time. Each block's sync marker is checked before its records are
    /// returned, so a truncated or corrupt block yields none of its records.
    /// </summary>
    public IEnumerable<object?> ReadRecords()
    {
        foreach (var (count, decoder) in ReadBlocks())
        {
            for (long i = 0; i < count; i++)
            {
                yield return decoder.ReadDatum(Schema);
            }
        }
    }

    /// <summary>
    /// The blocks, each with a decoder positioned at its first record and its record count, for callers that decode
    /// records themselves without building generic values (the staging loader's fast path). The caller must read
    /// exactly <c>Count</c> records before asking for the next block; leftover bytes are reported as corruption.
    /// </summary>
    internal IEnumerable<(long Count, AvroDecoder Decoder)> ReadBlocks()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var decoder = new AvroDecoder(_source) { MinSizes = _minSizes };
        while (ReadBlock(out var count, out var data, out var length))
        {
            decoder.Where = $"{_source}: block {_blockNumber}";
            decoder.Reset(data, 0, length);
            // A block's size bounds its records, except for records that encode to no bytes at all: those are capped.
            var minRecordSize = _minSizes.Of(Schema);
            if (minRecordSize > 0 && count > length / minRecordSize)
            {
                throw Error($"block {_blockNumber} declares {count} records but holds only {length} bytes");
            }
            if (minRecordSize == 0 && count > AvroDecoder.MaxZeroSizeValuesPerBlock)
            {
                throw Error($"block {_blockNumber} declares {count} records of a type that takes no bytes; " +
                    $"a block may hold at most {AvroDecoder.MaxZeroSizeValuesPerBlock} such values");
            }
            yield return (count, decoder);
            if (decoder.Remaining != 0)
            {
                throw Error($"block {_blockNumber} has {decoder.Remaining} bytes left over after its {count} records");
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_leaveOpen)
        {
            _input.Dispose();
        }
    }

    // ---------------------------------------------------------------- header

    private Dictionary<string, byte[]> ReadHeader()
    {
        Span<byte> magic = stackalloc byte[4];
        var got = ReadAvailable(magic);
        if (got < 4 || !magic.SequenceEqual(Magic))
        {
            throw Error(got < 4
                ? "not an Avro container file (too short for the Obj\\x01 magic)"
                : $"not an Avro container file (starts with {Convert.ToHexString(magic[..got])}, expected Obj\\x01 = 4F626A01)");
        }
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long entries = 0;
        while (true)
        {
            var count = ReadVarLong("the header metadata");
            if (count == 0)
            {
                break;
            }
            if (count < 0)
            {
                count = count == long.MinValue ? long.MaxValue : -count;
                ReadVarLong("the header metadata"); // block size in bytes, not needed
            }
            entries += count;
            if (entries > MaxHeaderEntries)
            {
                throw Error($"the header declares more than {MaxHeaderEntries} metadata entries");
            }
            for (long i = 0; i < count; i++)
            {
                var key = DecodeUtf8(ReadHeaderBytes("a metadata key"), "a metadata key");
                metadata[key] = ReadHeaderBytes($"metadata value {key}");
                _metadataOffsets[key] = _consumed - metadata[key].Length;
            }
        }
        if (ReadAvailable(_sync) < 16)
        {
            throw Error("unexpected end of file in the header (the sync marker is missing)");
        }
        return metadata;
    }

    private byte[] ReadHeaderBytes(string what)
    {
        var length = ReadVarLong(what);
        if (length < 0)
        {
            throw Error($"{what} in the header has a negative length ({length})");
        }
        var remaining = RemainingInStream();
        if (length > Array.MaxLength || (remaining is not null && length > remaining))
        {
            throw Error($"{what} in the header declares {length} bytes but only {remaining?.ToString() ?? "fewer"} remain in the file");
        }
        _headerBytes += length;
        if (_headerBytes > MaxHeaderBytes)
        {
            throw Error($"the header's metadata exceeds {MaxHeaderBytes} bytes (at {what})");
        }
        var buffer = Array.Empty<byte>();
        var read = ReadGrowing(ref buffer, (int)length);
        if (read < length)
        {
            throw Error($"unexpected end of file in the header (expected {length - read} more bytes of {what})");
        }
        return buffer.Length == length ? buffer : buffer[..(int)length];
    }

    // ---------------------------------------------------------------- blocks

    /// <summary>Reads the next block; false at a clean end of file (exactly at a block boundary).</summary>
    private bool ReadBlock(out long count, out byte[] data, out int length)
    {
        data = _block;
        length = 0;
        count = 0;
        if (!HasMoreInput())
        {
            return false;
        }
        _blockNumber++;
        var where = $"block {_blockNumber}";
        count = ReadVarLong($"the header of {where}");
        var size = ReadVarLong($"the header of {where}");
        if (count < 0)
        {
            throw Error($"{where} declares a negative record count ({count})");
        }
        if (size < 0)
        {
            throw Error($"{where} declares a negative size ({size})");
        }
        var remaining = RemainingInStream();
        if (remaining is not null && size > remaining)
        {
            throw Error($"{where} declares {size} bytes of data but only {remaining} remain in the file");
        }
        if (remaining is not null && size + 16 > remaining)
        {
            throw Error($"unexpected end of file inside {where} (expected {size + 16 - remaining} more bytes)");
        }
        if (size > MaxBlockBytes)
        {
            throw Error($"{where} declares {size} bytes, more than the {MaxBlockBytes} bytes a block may hold");
        }
        var read = ReadGrowing(ref _block, (int)size);
        if (read < size)
        {
            throw Error($"unexpected end of file inside {where} (expected {size - read + 16} more bytes)");
        }
        var syncRead = ReadAvailable(_blockSync);
        if (syncRead < 16)
        {
            throw Error($"unexpected end of file inside {where} (expected {16 - syncRead} more bytes)");
        }
        if (!_blockSync.AsSpan().SequenceEqual(_sync))
        {
            throw Error($"the sync marker after {where} does not match the header's (the file is corrupt)");
        }
        (data, length) = Decompress((int)size, where);
        return true;
    }

    /// <summary>Decompresses with our codecs (<see cref="AvroCodecs"/>), which stop at <see cref="MaxBlockBytes"/>.</summary>
    private (byte[] Data, int Length) Decompress(int size, string where)
    {
        if (Codec == AvroCodec.Null)
        {
            return (_block, size);
        }
        try
        {
            if (Codec == AvroCodec.Deflate)
            {
                var inflated = FastestDeflateCodec.Inflate(_block, size, MaxBlockBytes, ref _inflated); // may replace _inflated
                return (_inflated, inflated);
            }
            var data = Snappy.DecompressBlock(_block.AsSpan(0, size), MaxBlockBytes);
            return (data, data.Length);
        }
        catch (WarehouseException ex)
        {
            throw new WarehouseException($"{_source}: {where} {ex.Message}", ex);
        }
    }

    // ---------------------------------------------------------------- buffered stream access

    private long? RemainingInStream()
    {
        if (!_input.CanSeek)
        {
            return null;
        }
        return _input.Length - (_startPosition + _consumed);
    }

    private bool HasMoreInput()
    {
        if (_readPos < _readLen)
        {
            return true;
        }
        Refill();
        return _readLen > 0;
    }

    private void Refill()
    {
        _readPos = 0;
        _readLen = _input.Read(_readBuffer, 0, _readBuffer.Length);
    }

    private long ReadVarLong(string what)
    {
        ulong n = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_readPos >= _readLen)
            {
                Refill();
                if (_readLen == 0)
                {
                    throw Error($"unexpected end of file in {what}");
                }
            }
            var b = _readBuffer[_readPos++];
            _consumed++;
            n |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return (long)(n >> 1) ^ -(long)(n & 1);
            }
        }
        throw Error($"malformed number in {what} (varint longer than 10 bytes)");
    }

    /// <summary>Fills <paramref name="target"/> as far as the stream allows; returns the bytes read.</summary>
    private int ReadAvailable(Span<byte> target)
    {
        var total = 0;
        while (total < target.Length)
        {
            if (_readPos >= _readLen)
            {
                if (target.Length - total >= _readBuffer.Length)
                {
                    // Large reads bypass the small buffer.
                    var direct = _input.Read(target[total..]);
                    if (direct == 0)
                    {
                        break;
                    }
                    total += direct;
                    _consumed += direct;
                    continue;
                }
                Refill();
                if (_readLen == 0)
                {
                    break;
                }
            }
            var n = Math.Min(_readLen - _readPos, target.Length - total);
            _readBuffer.AsSpan(_readPos, n).CopyTo(target[total..]);
            _readPos += n;
            _consumed += n;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes into <paramref name="buffer"/>, growing it only as data actually
    /// arrives, so a declared length larger than the stream never allocates the declared size.
    /// </summary>
    private int ReadGrowing(ref byte[] buffer, int length)
    {
        const int chunk = 1024 * 1024;
        var total = 0;
        while (total < length)
        {
            if (buffer.Length == total)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, Math.Max((long)total * 2, chunk)));
            }
            var want = Math.Min(length, buffer.Length) - total;
            var n = ReadAvailable(buffer.AsSpan(total, want));
            total += n;
            if (n < want)
            {
                break;
            }
        }
        return total;
    }

    private string DecodeUtf8(byte[] bytes, string what)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new WarehouseException($"{_source}: {what} is not valid UTF-8", ex);
        }
    }

    private WarehouseException Error(string message) => new($"{_source}: {message}");
}

using System.Buffers.Binary;
using System.Text;
using Avro;

namespace Warehouse.Core.Avro;

/// <summary>
/// Decodes Avro binary values from one block held in memory. Every declared length and count is checked against
/// the bytes the block still holds before anything is allocated, so a corrupt or hostile file fails with a clear
/// message instead of allocating what it declares.
/// </summary>
internal sealed class AvroDecoder
{
    /// <summary>
    /// Values that encode to no bytes (records without fields, items of an array of nulls) cannot be bounded by the
    /// block's size, so their number per block is capped: ten million is more than any real block holds (a 64 KB block
    /// holds at most 65,536 one-byte values) and still reads in well under a second.
    /// </summary>
    public const long MaxZeroSizeValuesPerBlock = 10_000_000;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Nesting limit for recursive schemas, so hostile data cannot overflow the stack.</summary>
    private const int MaxDepth = 512;

    private byte[] _buffer = [];
    private long _zeroSizeItems;
    private int _depth;
    private int _pos;
    private int _end;

    public AvroDecoder(string where) => Where = where;

    /// <summary>Prefix for error messages, e.g. "data.avro: block 3".</summary>
    public string Where { get; set; }

    public int Remaining => _end - _pos;

    public void Reset(byte[] buffer, int offset, int length)
    {
        _buffer = buffer;
        _pos = offset;
        _end = offset + length;
        _zeroSizeItems = 0;
    }

    /// <summary>Remembers each schema's smallest encoded size (shared with the container reader).</summary>
    public MinEncodedSizes MinSizes { get; init; } = new();

    public object? ReadDatum(Schema schema)
    {
        if (schema.Tag is Schema.Type.Record or Schema.Type.Error or Schema.Type.Array or Schema.Type.Map or Schema.Type.Union)
        {
            if (++_depth > MaxDepth)
            {
                _depth--;
                throw Error($"values are nested more than {MaxDepth} levels deep");
            }
            try
            {
                return ReadValue(schema);
            }
            finally
            {
                _depth--;
            }
        }
        return ReadValue(schema);
    }

    /// <summary>A value as its underlying type (logical types are not converted: a timestamp stays its long).</summary>
    private object? ReadValue(Schema schema)
    {
        switch (AvroSchemas.Encoded(schema))
        {
            case { Tag: Schema.Type.Null }:
                return null;
            case { Tag: Schema.Type.Boolean }:
                return ReadBoolean();
            case { Tag: Schema.Type.Int }:
                return ReadInt();
            case { Tag: Schema.Type.Long }:
                return ReadLong();
            case { Tag: Schema.Type.Float }:
                return ReadFloat();
            case { Tag: Schema.Type.Double }:
                return ReadDouble();
            case { Tag: Schema.Type.String }:
                return ReadString();
            case { Tag: Schema.Type.Bytes }:
                return ReadBytes();
            case FixedSchema fixedSchema:
                return ReadFixed(fixedSchema.Size);
            case EnumSchema enumSchema:
            {
                var index = ReadLong();
                if (index < 0 || index >= enumSchema.Count)
                {
                    throw Error($"enum index {index} is out of range (enum {enumSchema.Fullname} has {enumSchema.Count} symbols)");
                }
                return new AvroEnum(enumSchema.Symbols[(int)index]);
            }
            case UnionSchema union:
            {
                var index = ReadLong();
                if (index < 0 || index >= union.Count)
                {
                    throw Error($"union branch index {index} is out of range (the union has {union.Count} " +
                                $"branches: {string.Join(", ", union.Schemas.Select(b => b.Fullname))})");
                }
                return ReadDatum(union[(int)index]);
            }
            case RecordSchema recordSchema:
            {
                var record = new AvroRecord(recordSchema);
                var fields = recordSchema.Fields;
                for (var i = 0; i < fields.Count; i++)
                {
                    record[i] = ReadDatum(fields[i].Schema);
                }
                return record;
            }
            case ArraySchema arraySchema:
            {
                var items = arraySchema.ItemSchema;
                var itemSize = MinSizes.Of(items);
                var list = new List<object?>();
                long total = 0;
                for (var count = ReadCollectionBlock(itemSize, "array"); count != 0; count = ReadCollectionBlock(itemSize, "array"))
                {
                    total += count;
                    CheckZeroSizeItems(itemSize, count, "array");
                    list.EnsureCapacity((int)Math.Min(total, list.Count + (long)Remaining + 1));
                    for (long i = 0; i < count; i++)
                    {
                        list.Add(ReadDatum(items));
                    }
                }
                return list;
            }
            case MapSchema mapSchema:
            {
                var values = mapSchema.ValueSchema;
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                var entrySize = 1 + MinSizes.Of(values);
                for (var count = ReadCollectionBlock(entrySize, "map"); count != 0; count = ReadCollectionBlock(entrySize, "map"))
                {
                    for (long i = 0; i < count; i++)
                    {
                        var key = ReadString();
                        map[key] = ReadDatum(values);
                    }
                }
                return map;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(schema), schema.Tag, "unknown Avro type");
        }
    }

    /// <summary>Reads one block header of an array or map; returns its item count (0 ends the collection).</summary>
    private long ReadCollectionBlock(int minItemSize, string kind)
    {
        var count = ReadLong();
        if (count < 0)
        {
            if (count == long.MinValue)
            {
                throw Error($"{kind} block count is out of range");
            }
            count = -count;
            var size = ReadLong();
            if (size < 0 || size > Remaining)
            {
                throw Error($"{kind} block declares {size} bytes but only {Remaining} remain in the block");
            }
        }
        if (minItemSize > 0 && count > Remaining / minItemSize)
        {
            throw Error($"{kind} declares {count} items but only {Remaining} bytes remain in the block");
        }
        return count;
    }

    /// <summary>Counts items of a type that takes no bytes against the block's cap (the block size cannot bound them).</summary>
    private void CheckZeroSizeItems(int minItemSize, long count, string kind)
    {
        if (minItemSize != 0)
        {
            return;
        }
        if (count > MaxZeroSizeValuesPerBlock - _zeroSizeItems)
        {
            throw Error($"{kind} declares {count} items of a type that takes no bytes; a block may hold at most " +
                $"{MaxZeroSizeValuesPerBlock} such values");
        }
        _zeroSizeItems += count;
    }

    public bool ReadBoolean()
    {
        var b = ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Error($"invalid boolean byte {b}"),
        };
    }

    public int ReadInt()
    {
        var value = ReadLong();
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw Error($"int value {value} is out of range");
        }
        return (int)value;
    }

    public long ReadLong()
    {
        ulong n = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _end)
            {
                throw Error("a number runs past the end of the block");
            }
            var b = _buffer[_pos++];
            n |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return (long)(n >> 1) ^ -(long)(n & 1);
            }
        }
        throw Error("malformed number (varint longer than 10 bytes)");
    }

    public float ReadFloat()
    {
        Need(4, "float");
        var value = BinaryPrimitives.ReadSingleLittleEndian(_buffer.AsSpan(_pos));
        _pos += 4;
        return value;
    }

    public double ReadDouble()
    {
        Need(8, "double");
        var value = BinaryPrimitives.ReadDoubleLittleEndian(_buffer.AsSpan(_pos));
        _pos += 8;
        return value;
    }

    public string ReadString()
    {
        var length = ReadLength("string");
        try
        {
            var value = Utf8.GetString(_buffer, _pos, length);
            _pos += length;
            return value;
        }
        catch (DecoderFallbackException ex)
        {
            throw new WarehouseException($"{Where}: a string is not valid UTF-8", ex);
        }
    }

    /// <summary>
    /// A string's UTF-8 bytes in place, checked but not decoded (the loader copies them straight into a COPY stream).
    /// Valid until the next block.
    /// </summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        var length = ReadLength("string");
        var span = _buffer.AsSpan(_pos, length);
        // checked (vectorised, cheap) so that a load fails with the same line as avro cat, not PostgreSQL's encoding error
        if (!System.Text.Unicode.Utf8.IsValid(span))
        {
            throw new WarehouseException($"{Where}: a string is not valid UTF-8");
        }
        _pos += length;
        return span;
    }

    public byte[] ReadBytes() => ReadFixed(ReadLength("bytes"));

    public byte[] ReadFixed(int size)
    {
        Need(size, "fixed");
        var value = _buffer.AsSpan(_pos, size).ToArray();
        _pos += size;
        return value;
    }

    private int ReadLength(string what)
    {
        var length = ReadLong();
        if (length < 0)
        {
            throw Error($"{what} has a negative length ({length})");
        }
        if (length > Remaining)
        {
            throw Error($"{what} declares {length} bytes but only {Remaining} remain in the block");
        }
        return (int)length;
    }

    private byte ReadByte()
    {
        if (_pos >= _end)
        {
            throw Error("a value runs past the end of the block");
        }
        return _buffer[_pos++];
    }

    private void Need(int bytes, string what)
    {
        if (Remaining < bytes)
        {
            throw Error($"{what} needs {bytes} bytes but only {Remaining} remain in the block");
        }
    }

    private WarehouseException Error(string what) => new($"{Where}: {what}");
}

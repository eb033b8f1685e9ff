using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Warehouse.Core.Avro;

/// <summary>
/// Avro binary encoding straight into one reusable byte buffer: zigzag varints by hand, UTF-8 written in place, no
/// allocation per value. The converters write each record's fields in schema order through this; the caller is
/// responsible for following the schema.
/// </summary>
public sealed class AvroEncoder
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer;
    private int _length;

    public AvroEncoder(int initialCapacity = 80 * 1024) => _buffer = new byte[Math.Max(initialCapacity, 16)];

    /// <summary>Bytes encoded since the last <see cref="Reset"/>.</summary>
    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The buffer whose first <see cref="Length"/> bytes are the encoded values.</summary>
    internal byte[] Bytes => _buffer;

    public void Reset() => _length = 0;

    public void WriteNull()
    {
        // null is encoded as zero bytes.
    }

    public void WriteBoolean(bool v)
    {
        EnsureCapacity(1);
        _buffer[_length++] = v ? (byte)1 : (byte)0;
    }

    public void WriteInt(int v) => WriteLong(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteLong(long v)
    {
        EnsureCapacity(10);
        var n = (ulong)((v << 1) ^ (v >> 63));
        var buffer = _buffer;
        var pos = _length;
        while (n >= 0x80)
        {
            buffer[pos++] = (byte)(n | 0x80);
            n >>= 7;
        }
        buffer[pos++] = (byte)n;
        _length = pos;
    }

    public void WriteFloat(float v)
    {
        EnsureCapacity(4);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), v);
        _length += 4;
    }

    public void WriteDouble(double v)
    {
        EnsureCapacity(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), v);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> v)
    {
        WriteLong(v.Length);
        WriteFixed(v);
    }

    public void WriteString(string v)
    {
        ArgumentNullException.ThrowIfNull(v);
        WriteString(v.AsSpan());
    }

    /// <summary>
    /// Writes the length prefix and UTF-8 bytes. The prefix size is reserved for the worst case (3 bytes per UTF-16
    /// unit) and the text encoded once in place; only when the real length needs a shorter prefix are the bytes moved.
    /// </summary>
    public void WriteString(ReadOnlySpan<char> v)
    {
        var maxBytes = (long)v.Length * 3;
        var reserve = VarintSize(maxBytes);
        EnsureCapacity(checked((int)(reserve + maxBytes)));
        int written;
        try
        {
            written = Utf8.GetBytes(v, _buffer.AsSpan(_length + reserve));
        }
        catch (EncoderFallbackException ex)
        {
            throw new WarehouseException("cannot write a string to Avro: it contains an unpaired UTF-16 surrogate", ex);
        }
        var needed = VarintSize(written);
        if (needed != reserve)
        {
            Buffer.BlockCopy(_buffer, _length + reserve, _buffer, _length + needed, written);
        }
        WriteLong(written);
        _length += written;
    }

    public void WriteFixed(ReadOnlySpan<byte> v)
    {
        EnsureCapacity(v.Length);
        v.CopyTo(_buffer.AsSpan(_length));
        _length += v.Length;
    }

    public void WriteUnionIndex(int branch) => WriteLong(branch);

    public void WriteEnum(int symbolIndex) => WriteLong(symbolIndex);

    /// <summary>Starts a block of <paramref name="count"/> array items (count &gt; 0); follow with the items.</summary>
    public void WriteArrayBlock(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        WriteLong(count);
    }

    /// <summary>Ends an array (a zero count). An empty array is just this call.</summary>
    public void WriteArrayEnd() => WriteLong(0);

    /// <summary>Starts a block of <paramref name="count"/> map entries (count &gt; 0); each entry is WriteString(key) then the value.</summary>
    public void WriteMapBlock(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        WriteLong(count);
    }

    public void WriteMapEnd() => WriteLong(0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureCapacity(int extra)
    {
        if (_buffer.Length - _length < extra)
        {
            Grow(extra);
        }
    }

    private void Grow(int extra)
    {
        var needed = (long)_length + extra;
        if (needed > Array.MaxLength)
        {
            throw new WarehouseException("an Avro block grew beyond 2 GB; a single record is too large");
        }
        var size = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        Array.Resize(ref _buffer, (int)size);
    }

    private static int VarintSize(long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        var size = 1;
        while (n >= 0x80)
        {
            n >>= 7;
            size++;
        }
        return size;
    }
}

using System.Buffers.Binary;

namespace Warehouse.Core.Avro;

/// <summary>
/// Snappy for Avro blocks: compression via IronSnappy, decompression by hand so every length in the input is checked
/// against the input before anything is allocated (a snappy preamble can declare up to 4 GB).
/// Avro's snappy block is the compressed bytes followed by a 4-byte big-endian CRC32 of the uncompressed bytes.
/// </summary>
internal static class Snappy
{
    /// <summary>Snappy's densest element (a 3-byte copy of 64 bytes) expands ~21x; anything claiming more is corrupt.</summary>
    private const int MaxExpansion = 22;

    public static byte[] Compress(ReadOnlySpan<byte> data) => IronSnappy.Snappy.Encode(data);

    /// <summary>Reads the uncompressed length from the preamble, checking it against the largest possible expansion.</summary>
    public static int GetUncompressedLength(ReadOnlySpan<byte> compressed, string where)
    {
        var pos = 0;
        var length = ReadPreamble(compressed, ref pos, where);
        return length;
    }

    /// <summary>Decompresses into <paramref name="output"/> (exactly the preamble's length); returns that length.</summary>
    public static int Decompress(ReadOnlySpan<byte> src, Span<byte> output, string where)
    {
        var s = 0;
        var length = ReadPreamble(src, ref s, where);
        if (output.Length < length)
        {
            throw new ArgumentException("output buffer is smaller than the uncompressed length", nameof(output));
        }
        var dst = output[..length];
        var d = 0;
        while (s < src.Length)
        {
            var tag = src[s++];
            int len;
            int offset;
            switch (tag & 3)
            {
                case 0: // literal
                {
                    len = tag >> 2;
                    if (len >= 60)
                    {
                        var extra = len - 59;
                        if (src.Length - s < extra)
                        {
                            throw Corrupt(where, "a literal length runs past the end of the data");
                        }
                        uint n = 0;
                        for (var i = 0; i < extra; i++)
                        {
                            n |= (uint)src[s + i] << (8 * i);
                        }
                        s += extra;
                        if (n >= int.MaxValue)
                        {
                            throw Corrupt(where, "a literal is longer than the block");
                        }
                        len = (int)n;
                    }
                    len += 1;
                    if (len > src.Length - s || len > dst.Length - d)
                    {
                        throw Corrupt(where, "a literal runs past the end of the data");
                    }
                    src.Slice(s, len).CopyTo(dst[d..]);
                    s += len;
                    d += len;
                    continue;
                }
                case 1:
                    if (s >= src.Length)
                    {
                        throw Corrupt(where, "a copy runs past the end of the data");
                    }
                    len = 4 + ((tag >> 2) & 7);
                    offset = ((tag & 0xe0) << 3) | src[s++];
                    break;
                case 2:
                    if (src.Length - s < 2)
                    {
                        throw Corrupt(where, "a copy runs past the end of the data");
                    }
                    len = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src[s..]);
                    s += 2;
                    break;
                default:
                {
                    if (src.Length - s < 4)
                    {
                        throw Corrupt(where, "a copy runs past the end of the data");
                    }
                    len = 1 + (tag >> 2);
                    var wide = BinaryPrimitives.ReadUInt32LittleEndian(src[s..]);
                    s += 4;
                    offset = wide > int.MaxValue ? int.MaxValue : (int)wide;
                    break;
                }
            }
            if (offset <= 0 || offset > d)
            {
                throw Corrupt(where, "a copy refers to data before the start of the block");
            }
            if (len > dst.Length - d)
            {
                throw Corrupt(where, "a copy runs past the declared uncompressed length");
            }
            if (offset >= len)
            {
                dst.Slice(d - offset, len).CopyTo(dst[d..]);
                d += len;
            }
            else
            {
                // Overlapping copy: repeats the last `offset` bytes, byte by byte.
                for (var i = 0; i < len; i++, d++)
                {
                    dst[d] = dst[d - offset];
                }
            }
        }
        if (d != length)
        {
            throw Corrupt(where, $"decompressed to {d} bytes but the data declares {length}");
        }
        return length;
    }

    private static int ReadPreamble(ReadOnlySpan<byte> src, ref int pos, string where)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (pos >= src.Length || shift > 28)
            {
                throw Corrupt(where, "the uncompressed length is missing or malformed");
            }
            var b = src[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                break;
            }
        }
        if (value > (ulong)(src.Length - pos) * MaxExpansion || value > (ulong)Array.MaxLength)
        {
            throw Corrupt(where, $"declares {value} uncompressed bytes, more than {src.Length} compressed bytes can hold");
        }
        return (int)value;
    }

    private static WarehouseException Corrupt(string where, string what) => new($"{where}: corrupt snappy data: {what}");
}

/// <summary>
/// CRC-32 (IEEE 802.3, as zlib and Avro's snappy framing use it), slicing-by-8: eight table lookups per 8 bytes.
/// System.IO.Hashing is not available here.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var t = Table;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (low & 0xff)] ^ t[(6 * 256) + ((low >> 8) & 0xff)]
                ^ t[(5 * 256) + ((low >> 16) & 0xff)] ^ t[(4 * 256) + (low >> 24)]
                ^ t[(3 * 256) + (high & 0xff)] ^ t[(2 * 256) + ((high >> 8) & 0xff)]
                ^ t[256 + ((high >> 16) & 0xff)] ^ t[high >> 24];
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = t[(crc ^ b) & 0xff] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        for (var slice = 1; slice < 8; slice++)
        {
            for (var i = 0; i < 256; i++)
            {
                var previous = table[((slice - 1) * 256) + i];
                table[(slice * 256) + i] = (previous >> 8) ^ table[previous & 0xff];
            }
        }
        return table;
    }
}

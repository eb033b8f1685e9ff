using System.Buffers.Binary;
using System.IO.Hashing;

namespace Warehouse.Core.Avro;

/// <summary>
/// Avro's snappy block on IronSnappy: the compressed bytes followed by a 4-byte big-endian CRC32 of the uncompressed bytes.
/// The uncompressed length a block declares is checked against the input and the block cap before IronSnappy allocates it
/// (a snappy preamble can declare up to 4 GB).
/// </summary>
internal static class Snappy
{
    /// <summary>Snappy's densest element is a 3-byte copy of 64 bytes, so data inflates at most 64/3 times; more is corrupt.</summary>
    private const int MaxExpansion = 22;

    /// <summary>The block as Avro stores it: snappy data, then the CRC32 of <paramref name="data"/>.</summary>
    public static byte[] CompressBlock(ReadOnlySpan<byte> data)
    {
        var compressed = IronSnappy.Snappy.Encode(data);
        var block = new byte[compressed.Length + 4];
        compressed.CopyTo(block, 0);
        BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(compressed.Length), Crc32.HashToUInt32(data));
        return block;
    }

    /// <summary>Decompresses an Avro snappy block (errors read after "block N") of at most <paramref name="maxBytes"/> uncompressed bytes and checks its CRC32.</summary>
    public static byte[] DecompressBlock(ReadOnlySpan<byte> block, int maxBytes)
    {
        if (block.Length < 4)
        {
            throw new WarehouseException($"is too short for snappy data and its CRC32 ({block.Length} bytes)");
        }
        var compressed = block[..^4];
        var length = UncompressedLength(compressed);
        if (length > maxBytes)
        {
            throw new WarehouseException($"decompresses to {length} bytes, more than the {maxBytes} bytes a block may hold");
        }
        byte[] data;
        try
        {
            data = IronSnappy.Snappy.Decode(compressed);
        }
        catch (Exception e) when (e is IOException or IndexOutOfRangeException or ArgumentException)
        {
            throw new WarehouseException($"holds corrupt snappy data ({e.Message})", e);
        }
        var expected = BinaryPrimitives.ReadUInt32BigEndian(block[^4..]);
        var actual = Crc32.HashToUInt32(data);
        if (expected != actual)
        {
            throw new WarehouseException($"has a snappy CRC32 mismatch (stored {expected:x8}, computed {actual:x8}); the file is corrupt");
        }
        return data;
    }

    /// <summary>The preamble's uncompressed length (an unsigned varint), checked against the largest possible expansion.</summary>
    internal static int UncompressedLength(ReadOnlySpan<byte> compressed)
    {
        ulong length = 0;
        var pos = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (pos >= compressed.Length || shift > 28)
            {
                throw new WarehouseException("holds corrupt snappy data: the uncompressed length is malformed");
            }
            var b = compressed[pos++];
            length |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                break;
            }
        }
        if (length > (ulong)compressed.Length * MaxExpansion)
        {
            throw new WarehouseException(
                $"holds corrupt snappy data: declares {length} uncompressed bytes, more than {compressed.Length} compressed bytes can hold");
        }
        return (int)length;
    }
}

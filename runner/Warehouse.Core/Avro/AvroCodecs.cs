using System.IO.Compression;
using Avro.File;

namespace Warehouse.Core.Avro;

/// <summary>
/// The block codecs we give Apache.Avro: its own deflate has no level setting (we write at the fastest; docs/performance.md
/// has the cost of the default) and its snappy is a separate package. Both decompress at most <see cref="AvroContainerReader.MaxBlockBytes"/> per block,
/// so a deflate bomb or a lying snappy preamble fails instead of allocating what it declares.
/// </summary>
public static class AvroCodecs
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        Codec.RegisterResolver(name => name switch
        {
            "deflate" => new FastestDeflateCodec(),
            "snappy" => new SnappyCodec(),
            _ => null,
        });
        return true;
    });

    /// <summary>Makes Apache's readers use our deflate and snappy codecs (idempotent).</summary>
    public static void Register() => _ = Registered.Value;

    /// <summary>The Apache codec that writes blocks of <paramref name="codec"/>.</summary>
    public static Codec For(AvroCodec codec) => codec switch
    {
        AvroCodec.Null => Codec.CreateCodec(Codec.Type.Null),
        AvroCodec.Deflate => new FastestDeflateCodec(),
        AvroCodec.Snappy => new SnappyCodec(),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown Avro codec"),
    };
}

/// <summary>Deflate at <see cref="CompressionLevel.Fastest"/>; inflation stops at the block cap.</summary>
public sealed class FastestDeflateCodec : Codec
{
    public override byte[] Compress(byte[] uncompressedData)
    {
        ArgumentNullException.ThrowIfNull(uncompressedData);
        using var output = new MemoryStream();
        using var input = new MemoryStream(uncompressedData, 0, uncompressedData.Length, writable: false, publiclyVisible: true);
        Compress(input, output);
        return output.ToArray();
    }

    public override void Compress(MemoryStream inputStream, MemoryStream outputStream)
    {
        ArgumentNullException.ThrowIfNull(inputStream);
        ArgumentNullException.ThrowIfNull(outputStream);
        outputStream.SetLength(0);
        using var deflate = new DeflateStream(outputStream, CompressionLevel.Fastest, leaveOpen: true);
        deflate.Write(inputStream.GetBuffer(), 0, (int)inputStream.Length);
    }

    public override byte[] Decompress(byte[] compressedData, int length)
    {
        var buffer = Array.Empty<byte>();
        var inflated = Inflate(compressedData, length, AvroContainerReader.MaxBlockBytes, ref buffer);
        return inflated == buffer.Length ? buffer : buffer[..inflated];
    }

    /// <summary>
    /// Inflates into <paramref name="buffer"/>, growing it as data arrives up to <paramref name="maxBytes"/>; returns the
    /// inflated length. A reader passes the same buffer for every block (a fresh ~100 KB array per block is a large-object
    /// allocation, which costs a full collection now and then).
    /// </summary>
    internal static int Inflate(byte[] compressed, int length, int maxBytes, ref byte[] buffer)
    {
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(compressed, 0, length, writable: false), CompressionMode.Decompress);
            if (buffer.Length == 0)
            {
                buffer = new byte[Math.Min(Math.Max(length * 4, 4096), maxBytes)];
            }
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total >= maxBytes)
                    {
                        if (inflater.ReadByte() < 0)
                        {
                            return total; // full at the cap: the block may end exactly here
                        }
                        throw new WarehouseException($"inflates to more than the {maxBytes} bytes a block may hold");
                    }
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes));
                }
                var n = inflater.Read(buffer, total, buffer.Length - total);
                if (n == 0)
                {
                    return total;
                }
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new WarehouseException($"holds corrupt deflate data ({e.Message})", e);
        }
    }

    public override string GetName() => "deflate";

    public override bool Equals(object? other) => other is FastestDeflateCodec;

    public override int GetHashCode() => GetName().GetHashCode(StringComparison.Ordinal);
}

/// <summary>Avro's snappy framing (snappy data, then a big-endian CRC32 of the uncompressed bytes) on IronSnappy.</summary>
public sealed class SnappyCodec : Codec
{
    public override byte[] Compress(byte[] uncompressedData)
    {
        ArgumentNullException.ThrowIfNull(uncompressedData);
        return Snappy.CompressBlock(uncompressedData);
    }

    public override void Compress(MemoryStream inputStream, MemoryStream outputStream)
    {
        ArgumentNullException.ThrowIfNull(inputStream);
        ArgumentNullException.ThrowIfNull(outputStream);
        outputStream.SetLength(0);
        outputStream.Write(Snappy.CompressBlock(inputStream.GetBuffer().AsSpan(0, (int)inputStream.Length)));
    }

    public override byte[] Decompress(byte[] compressedData, int length) =>
        Snappy.DecompressBlock(compressedData.AsSpan(0, length), AvroContainerReader.MaxBlockBytes);

    public override string GetName() => "snappy";

    public override bool Equals(object? other) => other is SnappyCodec;

    public override int GetHashCode() => GetName().GetHashCode(StringComparison.Ordinal);
}

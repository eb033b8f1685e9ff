using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>The codecs we give Apache.Avro (<see cref="AvroCodecs"/>): what they write reads back, and lying input fails.</summary>
public sealed class AvroCodecTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(59)]
    [InlineData(61)]
    [InlineData(70_000)]
    [InlineData(300_000)]
    public void SnappyCodec_DecompressesWhatItCompresses(int length)
    {
        var random = new Random(length);
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            // Runs, repeats at several distances, and noise: every snappy element kind.
            data[i] = (i / 1000 % 3) switch
            {
                0 => (byte)random.Next(256),
                1 => (byte)(i % 7),
                _ => i >= 5000 ? data[i - 4999] : (byte)'a',
            };
        }
        var codec = new SnappyCodec();
        var block = codec.Compress(data);
        Assert.Equal(data, codec.Decompress(block, block.Length));
    }

    [Fact]
    public void SnappyCodec_WhenPreambleDeclaresMoreThanTheDataCanHold_FailsWithoutAllocating()
    {
        byte[] hostile = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x61, 0, 0, 0, 0];
        var ex = Assert.Throws<WarehouseException>(() => new SnappyCodec().Decompress(hostile, hostile.Length));
        Assert.Equal("holds corrupt snappy data: declares 4294967295 uncompressed bytes, more than 7 compressed bytes can hold", ex.Message);
    }

    [Fact]
    public void SnappyCodec_WhenACopyPointsBeforeTheStart_FailsWithClearError()
    {
        byte[] bad = [0x04, 0x01, 0x10, 0, 0, 0, 0]; // length 4, then a copy of 4 bytes at offset 16 with nothing written yet
        var ex = Assert.Throws<WarehouseException>(() => new SnappyCodec().Decompress(bad, bad.Length));
        Assert.StartsWith("holds corrupt snappy data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeflateCodec_CompressesAtTheFastestLevel()
    {
        var data = new byte[200_000];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 7 % 251 ^ i / 3000);
        }
        using var fastest = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(fastest, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(data);
        }
        var codec = new FastestDeflateCodec();
        var block = codec.Compress(data);
        Assert.Equal(fastest.ToArray(), block);
        Assert.Equal(data, codec.Decompress(block, block.Length));
    }

    [Fact]
    public void Reader_WhenALaterDeflateBlockInflatesFarLargerThanTheFirst_ReadsEveryRecord()
    {
        var output = new MemoryStream();
        using (var writer = new AvroContainerWriter(output, "\"string\"", AvroCodec.Deflate, leaveOpen: true))
        {
            writer.Encoder.WriteString("first");
            writer.EndRecord();
            writer.Flush(); // block 1: a few bytes, inflating to 6
            for (var i = 0; i < 600; i++)
            {
                writer.Encoder.WriteString(new string('x', 100)); // block 2: ~60 KB of x, inflating from a few hundred bytes
                writer.EndRecord();
            }
        }

        var records = AvroTestSupport.ReadAll(output.ToArray());

        Assert.Equal(601, records.Count);
        Assert.Equal("first", records[0]);
        Assert.All(records.Skip(1), r => Assert.Equal(new string('x', 100), r));
    }
}

using System.Text;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

public sealed class AvroCodecTests
{
    [Fact]
    public void Crc32_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        // Every length around the 8-byte stride agrees with the byte-at-a-time definition.
        var data = Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog, twice over and then some.");
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.Equal(BitwiseCrc32(data.AsSpan(0, length)), Crc32.Compute(data.AsSpan(0, length)));
        }
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(59)]
    [InlineData(61)]
    [InlineData(70_000)]
    [InlineData(300_000)]
    public void Snappy_DecompressesWhatIronSnappyCompresses(int length)
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
        var compressed = Snappy.Compress(data);
        var output = new byte[Snappy.GetUncompressedLength(compressed, "test")];
        Assert.Equal(length, Snappy.Decompress(compressed, output, "test"));
        Assert.Equal(data, output);
    }

    [Fact]
    public void Snappy_WhenPreambleDeclaresMoreThanTheDataCanHold_FailsWithoutAllocating()
    {
        byte[] hostile = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x61];
        var ex = Assert.Throws<WarehouseException>(() => Snappy.GetUncompressedLength(hostile, "x.avro: block 1"));
        Assert.Equal("x.avro: block 1: corrupt snappy data: declares 4294967295 uncompressed bytes, more than 7 compressed bytes can hold", ex.Message);
    }

    [Fact]
    public void Snappy_WhenACopyPointsBeforeTheStart_FailsWithClearError()
    {
        byte[] bad = [0x04, 0x01, 0x10]; // length 4, then a copy of 4 bytes at offset 16 with nothing written yet
        var ex = Assert.Throws<WarehouseException>(() => Snappy.Decompress(bad, new byte[4], "x"));
        Assert.Contains("refers to data before the start", ex.Message, StringComparison.Ordinal);
    }
}

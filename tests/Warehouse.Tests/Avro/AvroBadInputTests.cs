using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>Corrupt and hostile files: one clear line each, and never an allocation of a declared size.</summary>
public sealed class AvroBadInputTests
{
    private const long AllocationBudget = 8 * 1024 * 1024;

    private static byte[] ValidFile(AvroCodec codec = AvroCodec.Null) =>
        AvroTestSupport.Write("\"string\"", codec, ["alpha", "beta", "gamma"]);

    /// <summary>A header for <paramref name="schemaJson"/> followed by one hand-made block.</summary>
    private static byte[] FileWithBlock(string schemaJson, Action<AvroEncoder> block, bool withSync = true)
    {
        var header = AvroTestSupport.Write(schemaJson, AvroCodec.Null, []);
        var encoder = new AvroEncoder();
        encoder.WriteFixed(header);
        block(encoder);
        if (withSync)
        {
            encoder.WriteFixed(header.AsSpan(header.Length - 16));
        }
        return encoder.WrittenSpan.ToArray();
    }

    private static WarehouseException ReadFails(byte[] file, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(file) : new AvroTestSupport.NonSeekableStream(file);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<WarehouseException>(() =>
        {
            using var reader = new AvroContainerReader(stream, "bad.avro");
            foreach (var unused in reader.ReadRecords())
            {
                // drain
            }
        });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBudget, $"reading a {file.Length}-byte file allocated {allocated} bytes");
        Assert.StartsWith("bad.avro: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        return ex;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reader_WhenFileIsTruncated_FailsWithClearError(bool seekable)
    {
        var file = ValidFile();
        var ex = ReadFails(file[..^5], seekable);
        Assert.Equal("bad.avro: unexpected end of file inside block 1 (expected 5 more bytes)", ex.Message);
    }

    [Fact]
    public void Reader_WhenFileEndsInsideABlockHeader_FailsWithClearError()
    {
        var file = FileWithBlock("\"string\"", e => e.WriteFixed([0x80]), withSync: false);
        Assert.Equal("bad.avro: unexpected end of file in the header of block 1", ReadFails(file).Message);
    }

    [Fact]
    public void Reader_WhenMagicIsWrong_FailsWithClearError()
    {
        var file = ValidFile();
        file[3] = 2;
        var ex = ReadFails(file);
        Assert.Equal("bad.avro: not an Avro container file (starts with 4F626A02, expected Obj\\x01 = 4F626A01)", ex.Message);
        Assert.Contains("too short", ReadFails([(byte)'O', (byte)'b']).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public void Reader_WhenSyncMarkerIsCorrupt_FailsWithClearError(AvroCodec codec)
    {
        var file = ValidFile(codec);
        file[^3] ^= 0xFF;
        var ex = ReadFails(file);
        Assert.Equal("bad.avro: the sync marker after block 1 does not match the header's (the file is corrupt)", ex.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reader_WhenBlockSizeIsLargerThanTheFile_FailsWithoutAllocatingIt(bool seekable)
    {
        var file = FileWithBlock("\"string\"", e =>
        {
            e.WriteLong(1);
            e.WriteLong(400_000_000);
            e.WriteString("tiny");
        });
        var ex = ReadFails(file, seekable);
        Assert.Equal(seekable
            ? "bad.avro: block 1 declares 400000000 bytes of data but only 21 remain in the file"
            : "bad.avro: block 1 declares 400000000 bytes, more than the 67108864 bytes a block may hold", ex.Message);
    }

    /// <summary>A header plus one block of <paramref name="count"/> records whose data <paramref name="data"/> writes.</summary>
    private static byte[] FileWithData(string schemaJson, long count, Action<AvroEncoder> data)
    {
        var body = new AvroEncoder();
        data(body);
        return FileWithBlock(schemaJson, e =>
        {
            e.WriteLong(count);
            e.WriteLong(body.Length);
            e.WriteFixed(body.WrittenSpan);
        });
    }

    [Fact]
    public void Reader_WhenStringLengthIsHuge_FailsWithoutAllocatingIt()
    {
        var file = FileWithData("\"string\"", 1, e =>
        {
            e.WriteLong(1L << 40); // a string of a terabyte, in a 9-byte block
            e.WriteFixed("abc"u8);
        });
        var ex = ReadFails(file);
        Assert.Equal("bad.avro: block 1: string declares 1099511627776 bytes but only 3 remain in the block", ex.Message);
    }

    [Fact]
    public void Reader_WhenArrayCountIsHuge_FailsWithoutAllocatingIt()
    {
        var file = FileWithData("""{"type":"array","items":"long"}""", 1, e =>
        {
            e.WriteLong(1L << 50);
            e.WriteFixed([2, 4]);
        });
        Assert.Equal("bad.avro: block 1: array declares 1125899906842624 items but only 2 bytes remain in the block", ReadFails(file).Message);
    }

    [Fact]
    public void Reader_WhenRecordCountExceedsTheBlock_FailsBeforeDecoding()
    {
        var file = FileWithBlock("\"string\"", e =>
        {
            e.WriteLong(1L << 40);
            e.WriteLong(2);
            e.WriteString("a");
        });
        Assert.Equal("bad.avro: block 1 declares 1099511627776 records but holds only 2 bytes", ReadFails(file).Message);
    }

    [Fact]
    public void Reader_WhenUnionIndexIsBad_FailsWithClearError()
    {
        var file = FileWithBlock("""["null","string"]""", e =>
        {
            e.WriteLong(1);
            e.WriteLong(1);
            e.WriteUnionIndex(-3);
        });
        Assert.Equal("bad.avro: block 1: union branch index -3 is out of range (the union has 2 branches: null, string)", ReadFails(file).Message);
    }

    [Fact]
    public void Reader_WhenBlockHasBytesLeftOver_FailsWithClearError()
    {
        var file = FileWithBlock("\"long\"", e =>
        {
            e.WriteLong(1);
            e.WriteLong(3);
            e.WriteFixed([2, 4, 6]);
        });
        Assert.Equal("bad.avro: block 1 has 2 bytes left over after its 1 records", ReadFails(file).Message);
    }

    [Fact]
    public void Reader_WhenHeaderMetadataLengthIsHuge_FailsWithoutAllocatingIt()
    {
        var encoder = new AvroEncoder();
        encoder.WriteFixed("Obj\u0001"u8);
        encoder.WriteMapBlock(1);
        encoder.WriteString("avro.schema");
        encoder.WriteLong(1L << 33);
        encoder.WriteFixed("\"string\""u8);
        var ex = ReadFails(encoder.WrittenSpan.ToArray());
        Assert.Equal("bad.avro: metadata value avro.schema in the header declares 8589934592 bytes but only 8 remain in the file", ex.Message);
    }

    [Fact]
    public void Reader_WhenRecursiveValuesNestTooDeep_FailsInsteadOfOverflowingTheStack()
    {
        const string linkedList = """{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}""";
        var file = FileWithData(linkedList, 1, e =>
        {
            for (var i = 0; i < 200_000; i++)
            {
                e.WriteUnionIndex(1);
            }
            e.WriteUnionIndex(0);
        });
        Assert.Equal("bad.avro: block 1: values are nested more than 512 levels deep", ReadFails(file).Message);
    }

    [Fact]
    public void Reader_WhenSnappyDataIsCorrupt_FailsWithClearError()
    {
        var file = ValidFile(AvroCodec.Snappy);
        // The block's CRC32 sits just before the 16-byte sync marker.
        file[^17] ^= 0x01;
        Assert.Contains("snappy CRC32 mismatch", ReadFails(file).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_ZeroCountBlocks_AreTolerated()
    {
        var header = AvroTestSupport.Write("\"long\"", AvroCodec.Null, []);
        var sync = header.AsSpan(header.Length - 16).ToArray();
        var encoder = new AvroEncoder();
        encoder.WriteFixed(header);
        encoder.WriteLong(0);
        encoder.WriteLong(0);
        encoder.WriteFixed(sync);
        encoder.WriteLong(2);
        encoder.WriteLong(2);
        encoder.WriteLong(-5);
        encoder.WriteLong(7);
        encoder.WriteFixed(sync);
        encoder.WriteLong(0);
        encoder.WriteLong(0);
        encoder.WriteFixed(sync);
        Assert.Equal(new object?[] { -5L, 7L }, AvroTestSupport.ReadAll(encoder.WrittenSpan.ToArray()));
    }
}

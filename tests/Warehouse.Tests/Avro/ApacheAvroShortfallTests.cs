using System.IO.Compression;
using Avro.File;
using Avro.Generic;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>
/// Why we still read Avro blocks ourselves: each test pins down what Apache.Avro 1.12.2 does with one kind of hostile or
/// out-of-range input, next to what our reader does with the same bytes. When a test here fails, Apache has changed: check
/// whether its reader can now replace ours on that path (load, <c>avro cat</c>) and delete our code if so.
/// </summary>
public sealed class ApacheAvroShortfallTests
{
    private const long OneGiB = 1L << 30;

    /// <summary>A container of <paramref name="schemaJson"/>: a header from our writer, then hand-made blocks.</summary>
    private static byte[] File(string schemaJson, AvroCodec codec, params (long Count, long DeclaredSize, byte[] Data)[] blocks)
    {
        var header = AvroTestSupport.Write(schemaJson, codec, []);
        var encoder = new AvroEncoder();
        encoder.WriteFixed(header);
        foreach (var (count, size, data) in blocks)
        {
            encoder.WriteLong(count);
            encoder.WriteLong(size);
            encoder.WriteFixed(data);
            encoder.WriteFixed(header.AsSpan(header.Length - 16));
        }
        return encoder.WrittenSpan.ToArray();
    }

    private static List<object> ReadWithApache(byte[] file)
    {
        using var reader = DataFileReader<object>.OpenReader(new MemoryStream(file));
        var records = new List<object>();
        while (reader.HasNext())
        {
            records.Add(reader.Next());
        }
        return records;
    }

    [Fact]
    public void ApacheReader_AllocatesTheBlockSizeATinyFileDeclares_SoWeReadBlocksOurselves()
    {
        var file = File("\"long\"", AvroCodec.Null, (1, OneGiB, []));
        Assert.True(file.Length < 200, $"the file is {file.Length} bytes");

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.ThrowsAny<Exception>(() => ReadWithApache(file));
        var apacheAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(apacheAllocated >= OneGiB, $"Apache allocated {apacheAllocated} bytes for a block declaring {OneGiB}");
        before = GC.GetAllocatedBytesForCurrentThread();
        var ours = Assert.Throws<WarehouseException>(() => AvroTestSupport.ReadAll(file));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, "our reader allocated what the block declared");
        Assert.Contains("declares 1073741824 bytes of data but only 16 remain in the file", ours.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApacheDeflateCodec_InflatesABombPastAnyBlockCap_SoOurCodecInflates()
    {
        var size = AvroContainerReader.MaxBlockBytes + (16 << 20);
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(new byte[size]);
        }
        var bomb = compressed.ToArray();
        Assert.True(bomb.Length < 200_000, $"the bomb is {bomb.Length} bytes");

        Assert.Equal(size, Codec.CreateCodec(Codec.Type.Deflate).Decompress(bomb, bomb.Length).Length);
        var ours = Assert.Throws<WarehouseException>(() => new FastestDeflateCodec().Decompress(bomb, bomb.Length));
        Assert.Equal($"inflates to more than the {AvroContainerReader.MaxBlockBytes} bytes a block may hold", ours.Message);
    }

    [Fact]
    public void ApacheGenericReader_ReadsAnArrayClaiming2Pow40ItemsAsEmpty_WhereOursFails()
    {
        const string schema = """{"type":"record","name":"R","fields":[{"name":"items","type":{"type":"array","items":"long"}},{"name":"n","type":"long"}]}""";
        var record = new AvroEncoder();
        record.WriteArrayBlock(1L << 40); // no items follow
        record.WriteArrayEnd();
        record.WriteLong(7);
        var data = record.WrittenSpan.ToArray();
        var file = File(schema, AvroCodec.Null, (1, data.Length, data));

        var apache = (GenericRecord)Assert.Single(ReadWithApache(file));

        Assert.Empty((System.Collections.IEnumerable)apache["items"]);
        var ours = Assert.Throws<WarehouseException>(() => AvroTestSupport.ReadAll(file));
        Assert.Contains("array declares 1099511627776 items but only", ours.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApacheGenericReader_WrapsATimestampMicrosBeyondDateTime_IntoA1970Instant()
    {
        const string schema = """{"type":"record","name":"R","fields":[{"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}}]}""";
        const long micros = 1_844_674_407_370_955_162; // about the year 60,000; ten times it wraps a long to 4
        var record = new AvroEncoder();
        record.WriteLong(micros);
        var data = record.WrittenSpan.ToArray();
        var file = File(schema, AvroCodec.Null, (1, data.Length, data));

        var apache = (GenericRecord)Assert.Single(ReadWithApache(file));

        Assert.Equal(DateTime.UnixEpoch.AddTicks(4), (DateTime)apache["at"]);
        var ours = (AvroRecord)Assert.Single(AvroTestSupport.ReadAll(file))!;
        Assert.Equal(micros, ours["at"]);
    }

    /// <summary>A datum writer that writes a byte and then, for a negative datum, fails.</summary>
    private sealed class FailingWriter : DatumWriter<long>
    {
        public global::Avro.Schema Schema { get; } = global::Avro.Schema.Parse("\"long\"");

        public void Write(long datum, global::Avro.IO.Encoder encoder)
        {
            encoder.WriteLong(Math.Abs(datum));
            if (datum < 0)
            {
                throw new InvalidOperationException("bad datum");
            }
        }
    }

    [Fact]
    public void ApacheWriter_KeepsTheBytesOfARecordWhoseWriteThrew_SoRecordsAreCheckedBeforeAppend()
    {
        var output = new MemoryStream();
        using (var writer = DataFileWriter<long>.OpenWriter(new FailingWriter(), output, Codec.CreateCodec(Codec.Type.Null), leaveOpen: true))
        {
            writer.Append(1);
            Assert.ThrowsAny<Exception>(() => writer.Append(-1_000_000));
        }

        var error = Assert.Throws<WarehouseException>(() => AvroTestSupport.ReadAll(output.ToArray()));
        Assert.Equal("test.avro: block 1 has 3 bytes left over after its 1 records", error.Message);
    }
}

using System.Text;
using Avro;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

[Trait("Speed", "slow")] // property tests over many random records
public sealed class AvroRoundTripTests
{
    internal const string EveryTypeSchema = """
        {"type":"record","name":"Everything","namespace":"warehouse.test","doc":"one field of each kind","fields":[
          {"name":"n","type":"null"},
          {"name":"flag","type":"boolean"},
          {"name":"i","type":"int"},
          {"name":"l","type":"long"},
          {"name":"f","type":"float"},
          {"name":"d","type":"double"},
          {"name":"b","type":"bytes"},
          {"name":"s","type":"string"},
          {"name":"e","type":{"type":"enum","name":"Colour","symbols":["RED","GREEN","BLUE"]}},
          {"name":"a","type":{"type":"array","items":"long"}},
          {"name":"m","type":{"type":"map","values":["null","string"]}},
          {"name":"u","type":["null","int","string","bytes","Colour"]},
          {"name":"fx","type":{"type":"fixed","name":"Four","size":4}},
          {"name":"nested","type":{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}},
          {"name":"inners","type":{"type":"array","items":"Inner"}},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}]}
        """;

    private static readonly string[] Texts = ["", "plain", "Zürich", "東京タワー", "emoji 😀 done", "quote \" and \\ and \n", new string('x', 300)];

    internal static List<AvroRecord> EveryTypeRecords(int count, int seed = 1)
    {
        var schema = (RecordSchema)AvroSchemas.Parse(EveryTypeSchema);
        var inner = (RecordSchema)schema["nested"].Schema;
        var random = new Random(seed);
        var records = new List<AvroRecord>();
        long[] edgeLongs = [0, -1, 1, long.MinValue, long.MaxValue, -64, 63, -65, 64, int.MinValue, int.MaxValue];
        for (var k = 0; k < count; k++)
        {
            var r = new AvroRecord(schema);
            r["n"] = null;
            r["flag"] = k % 2 == 0;
            r["i"] = k switch { 0 => int.MinValue, 1 => int.MaxValue, _ => random.Next(int.MinValue, int.MaxValue) };
            r["l"] = k < edgeLongs.Length ? edgeLongs[k] : random.NextInt64(long.MinValue, long.MaxValue);
            r["f"] = k == 0 ? float.NaN : (float)(random.NextDouble() * 1000 - 500);
            r["d"] = k == 1 ? double.NegativeInfinity : random.NextDouble() * 1e12 - 5e11;
            var bytes = new byte[k % 7];
            random.NextBytes(bytes);
            r["b"] = bytes;
            r["s"] = Texts[k % Texts.Length];
            r["e"] = new AvroEnum(new[] { "RED", "GREEN", "BLUE" }[k % 3]);
            r["a"] = Enumerable.Range(0, k % 5).Select(j => (object?)(j * -1000L * k)).ToList();
            var map = new Dictionary<string, object?>();
            for (var j = 0; j < k % 4; j++)
            {
                map["key" + j] = j == 1 ? null : Texts[(k + j) % Texts.Length];
            }
            r["m"] = map;
            r["u"] = (k % 5) switch
            {
                0 => null,
                1 => -k,
                2 => "union " + Texts[k % Texts.Length],
                3 => new byte[] { 0, 255, (byte)k },
                _ => new AvroEnum("BLUE"),
            };
            r["fx"] = BitConverter.GetBytes(k);
            var nested = new AvroRecord(inner) { ["x"] = k };
            r["nested"] = nested;
            r["inners"] = Enumerable.Range(0, k % 3).Select(j => (object?)new AvroRecord(inner) { ["x"] = j }).ToList();
            r["at"] = -62_135_596_800_000_000L + k * 1_000_003L;
            r["day"] = -719_162 + k;
            r["id"] = Guid.NewGuid().ToString();
            r["price"] = new byte[] { 0x01, (byte)k };
            records.Add(r);
        }
        return records;
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public void Writer_EveryType_ReadsBackRecordForRecord(AvroCodec codec)
    {
        var schema = AvroSchemas.Parse(EveryTypeSchema);
        var records = EveryTypeRecords(3000);
        var file = AvroTestSupport.Write(EveryTypeSchema, codec, records);

        using var reader = new AvroContainerReader(new MemoryStream(file), "every.avro");
        var back = reader.ReadRecords().ToList();

        Assert.Equal(codec, reader.Codec);
        Assert.True(reader.BlockCount > 1, "3000 records should span several ~64 KB blocks");
        AvroTestSupport.AssertJsonLinesEqual(AvroTestSupport.JsonLines(records, schema), AvroTestSupport.JsonLines(back, reader.Schema), codec.ToString());
        var first = (AvroRecord)back[0]!;
        Assert.True(float.IsNaN((float)first["f"]!));
        Assert.Equal(long.MinValue, ((AvroRecord)back[3]!)["l"]);
        Assert.Equal(new AvroEnum("BLUE"), ((AvroRecord)back[4]!)["u"]);
        Assert.Equal(new byte[] { 0, 255, 3 }, ((AvroRecord)back[3]!)["u"]);
    }

    [Fact]
    public void Encoder_FastPath_WritesTheSameBytesAsTheGenericEncoding()
    {
        const string schemaJson = """
            {"type":"record","name":"Fast","fields":[{"name":"id","type":"long"},{"name":"name","type":["null","string"]},
              {"name":"tags","type":{"type":"array","items":"string"}},{"name":"score","type":"double"}]}
            """;
        var schema = AvroSchemas.Parse(schemaJson);
        var viaEncoder = new MemoryStream();
        var viaAppend = new MemoryStream();
        var generic = new List<object?>();
        using (var writer = new AvroContainerWriter(viaEncoder, schemaJson, AvroCodec.Null, leaveOpen: true))
        {
            for (var i = 0; i < 20_000; i++)
            {
                var name = i % 3 == 0 ? null : new string('é', i % 40) + i;
                var e = writer.Encoder;
                e.WriteLong(-i);
                if (name is null)
                {
                    e.WriteUnionIndex(0);
                    e.WriteNull();
                }
                else
                {
                    e.WriteUnionIndex(1);
                    e.WriteString(name.AsSpan());
                }
                if (i % 2 == 1)
                {
                    e.WriteArrayBlock(2);
                    e.WriteString("a");
                    e.WriteString("b");
                }
                e.WriteArrayEnd();
                e.WriteDouble(i / 4.0);
                writer.EndRecord();
                var r = new AvroRecord((RecordSchema)schema) { ["id"] = (long)-i, ["name"] = name, ["score"] = i / 4.0 };
                r["tags"] = i % 2 == 1 ? new List<object?> { "a", "b" } : new List<object?>();
                generic.Add(r);
            }
            Assert.Equal(20_000, writer.RecordCount);
        }
        var back = AvroTestSupport.ReadAll(viaEncoder.ToArray());
        AvroTestSupport.AssertJsonLinesEqual(AvroTestSupport.JsonLines(generic, schema), AvroTestSupport.JsonLines(back, schema), "fast path");

        using (var writer = new AvroContainerWriter(viaAppend, schemaJson, AvroCodec.Null, leaveOpen: true))
        {
            foreach (var record in generic)
            {
                GenericEncoder.Write(writer.Encoder, writer.Schema, record);
                writer.EndRecord();
            }
        }
        // Both encode the same bytes; only the random sync markers differ.
        Assert.Equal(viaEncoder.Length, viaAppend.Length);
    }

    [Fact]
    public void Encoder_LongStrings_GetTheRightLengthPrefix()
    {
        var encoder = new AvroEncoder(16);
        foreach (var length in new[] { 0, 21, 22, 63, 64, 100, 5000, 100_000 })
        {
            encoder.Reset();
            var text = new string('a', length);
            encoder.WriteString(text);
            var decoder = new AvroDecoder("test");
            var bytes = encoder.WrittenSpan.ToArray();
            decoder.Reset(bytes, 0, bytes.Length);
            Assert.Equal(text, decoder.ReadString());
            Assert.Equal(0, decoder.Remaining);
        }
    }

    [Fact]
    public void Writer_KeepsUserMetadata_AndNeverWritesEmptyBlocks()
    {
        const string schemaJson = "\"string\"";
        var metadata = new Dictionary<string, string> { ["warehouse.source"] = "http_log.txt", ["note"] = "Grüße" };
        var output = new MemoryStream();
        using (var writer = new AvroContainerWriter(output, schemaJson, AvroCodec.Deflate, metadata, leaveOpen: true))
        {
            writer.Flush(); // nothing buffered: must not write a block
            writer.Encoder.WriteString("one");
            writer.EndRecord();
            writer.Flush();
            writer.Flush();
        }
        using var reader = new AvroContainerReader(new MemoryStream(output.ToArray()), "meta.avro");
        Assert.Equal("http_log.txt", Encoding.UTF8.GetString(reader.Metadata["warehouse.source"]));
        Assert.Equal("Grüße", Encoding.UTF8.GetString(reader.Metadata["note"]));
        Assert.Equal("deflate", Encoding.UTF8.GetString(reader.Metadata["avro.codec"]));
        Assert.Equal(new object?[] { "one" }, reader.ReadRecords().ToArray());
        Assert.Equal(1, reader.BlockCount);
    }

    [Fact]
    public void Writer_EmptyFile_HasHeaderOnlyAndReadsAsNoRecords()
    {
        var file = AvroTestSupport.Write("\"long\"", AvroCodec.Snappy, []);
        using var reader = new AvroContainerReader(new MemoryStream(file), "empty.avro");
        Assert.Empty(reader.ReadRecords());
        Assert.Equal(0, reader.BlockCount);
    }

    [Fact]
    public void Writer_DiscardRecordAndDispose_NeverWriteAHalfRecord()
    {
        var output = new MemoryStream();
        using (var writer = new AvroContainerWriter(output, "\"long\"", AvroCodec.Deflate, leaveOpen: true))
        {
            writer.Encoder.WriteLong(1);
            writer.EndRecord();
            writer.Encoder.WriteLong(99); // a line that turned out bad halfway
            writer.DiscardRecord();
            writer.Encoder.WriteLong(2);
            writer.EndRecord();
            writer.Encoder.WriteLong(77); // left unfinished when the writer is disposed
        }
        Assert.Equal(new object?[] { 1L, 2L }, AvroTestSupport.ReadAll(output.ToArray()));
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public void Reader_FromANonSeekableStream_ReadsEveryRecord(AvroCodec codec)
    {
        var schema = AvroSchemas.Parse(EveryTypeSchema);
        var records = EveryTypeRecords(1500, seed: 3);
        var file = AvroTestSupport.Write(EveryTypeSchema, codec, records);
        using var reader = new AvroContainerReader(new AvroTestSupport.NonSeekableStream(file), "pipe");
        AvroTestSupport.AssertJsonLinesEqual(AvroTestSupport.JsonLines(records, schema), AvroTestSupport.JsonLines(reader.ReadRecords(), schema), "pipe");
    }
}

using System.Text.Json;
using Avro;
using Avro.File;
using Avro.Generic;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>
/// Interop with Apache's implementations: Python's avro (DataFileReader/DataFileWriter) and the C library's avrocat.
/// These tests fail, rather than skip, when the tools are missing: the test command installs them.
/// </summary>
[Trait("Speed", "slow")] // Apache Avro's Python and C tools as oracles
public sealed class AvroInteropTests : IDisposable
{
    private const string InteropSchema = """
        {"type":"record","name":"Interop","namespace":"warehouse.test","fields":[
          {"name":"id","type":"long"},
          {"name":"name","type":"string"},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"event_at","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"score","type":"double"},
          {"name":"ratio","type":"float"},
          {"name":"ok","type":"boolean"},
          {"name":"payload","type":"bytes"},
          {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B","C"]}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"attrs","type":{"type":"map","values":"long"}},
          {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
          {"name":"maybe","type":["null","long","string"]}]}
        """;

    private static readonly string[] Names = ["Zürich", "東京", "emoji 😀", "Ωmega", "plain", "tab\tand \"quotes\"", ""];

    private readonly string _dir = Directory.CreateTempSubdirectory("avro-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<AvroRecord> OurRecords(int count)
    {
        var schema = (RecordSchema)AvroSchemas.Parse(InteropSchema);
        var random = new Random(7);
        var records = new List<AvroRecord>();
        for (var k = 0; k < count; k++)
        {
            var r = new AvroRecord(schema)
            {
                ["id"] = k % 3 == 0 ? -(long)k * 1_000_000_007L : random.NextInt64(long.MinValue, long.MaxValue),
                ["name"] = Names[k % Names.Length] + k,
                ["note"] = k % 4 == 0 ? null : "note " + Names[(k + 1) % Names.Length],
                // 1601..2255, before and after the epoch, microsecond precision
                ["event_at"] = random.NextInt64(-11_644_473_600_000_000L, 9_000_000_000_000_000L),
                ["day"] = random.Next(-100_000, 100_000),
                ["score"] = k * 0.5 - 1000,
                ["ratio"] = (float)(k % 64) / 4 - 8,
                ["ok"] = k % 3 == 1,
                ["payload"] = Enumerable.Range(0, k % 9).Select(j => (byte)(j * 37 + k)).ToArray(),
                ["kind"] = new AvroEnum(((char)('A' + k % 3)).ToString()),
                ["tags"] = Enumerable.Range(0, k % 4).Select(j => (object?)Names[(k + j) % Names.Length]).ToList(),
                ["attrs"] = Enumerable.Range(0, k % 3).ToDictionary(j => "k" + j, j => (object?)(-(long)j * k)),
                ["hash"] = BitConverter.GetBytes(unchecked((uint)(k * 2_654_435_761L))),
                ["maybe"] = (k % 3) switch { 0 => null, 1 => (object)(-(long)k), _ => "s" + Names[k % Names.Length] },
            };
            records.Add(r);
        }
        return records;
    }

    private const string PythonReadScript = AvroTestSupport.PythonNaturalJson + """

        import avro.datafile, avro.io
        with open(sys.argv[1], 'rb') as f:
            reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
            for record in reader:
                print(dump(record))
        """;

    private const string PythonWriteScript = AvroTestSupport.PythonNaturalJson + """

        import avro.datafile, avro.io, avro.schema
        schema = avro.schema.parse(sys.argv[1])
        names = ['Zürich', '東京', 'emoji 😀', 'Ωmega', 'plain', 'tab\tand "quotes"', '']
        records = []
        for k in range(3000):
            records.append({
                'id': -k * 1000000007 if k % 2 else k * 3037000499,
                'name': names[k % len(names)] + str(k),
                'note': None if k % 4 == 0 else 'py ' + names[(k + 2) % len(names)],
                'event_at': EPOCH + datetime.timedelta(microseconds=(k - 1500) * 987654321123),
                'day': datetime.date(1970, 1, 1) + datetime.timedelta(days=(k - 1500) * 37),
                'score': k * 0.25 - 300,
                'ratio': (k % 32) / 8 - 2,
                'ok': k % 2 == 0,
                'payload': bytes((j * 11 + k) % 256 for j in range(k % 6)),
                'kind': 'ABC'[k % 3],
                'tags': [names[(k + j) % len(names)] for j in range(k % 3)],
                'attrs': {'a' + str(j): -j * k for j in range(k % 4)},
                'hash': (k * 2654435761 % 2**32).to_bytes(4, 'little'),
                'maybe': [None, -k, 'p' + names[k % len(names)]][k % 3],
            })
        for codec in ['null', 'deflate', 'snappy']:
            with open(f'{sys.argv[2]}/python-{codec}.avro', 'wb') as f:
                writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec=codec)
                for record in records:
                    writer.append(record)
                writer.close()
        for record in records:
            print(dump(record))
        """;

    private string WriteOurs(AvroCodec codec, IEnumerable<AvroRecord> records)
    {
        var path = Path.Combine(_dir, $"ours-{codec}.avro");
        using var writer = new AvroContainerWriter(File.Create(path), InteropSchema, codec);
        foreach (var record in records)
        {
            GenericEncoder.Write(writer.Encoder, writer.Schema, record);
            writer.EndRecord();
        }
        return path;
    }

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public void ApachePython_ReadsFilesWeWrite_RecordForRecord(AvroCodec codec)
    {
        var records = OurRecords(3000);
        var path = WriteOurs(codec, records);

        var python = AvroTestSupport.RunPython(PythonReadScript, path);

        Assert.Equal("", python.StdErr);
        var schema = AvroSchemas.Parse(InteropSchema);
        AvroTestSupport.AssertJsonLinesEqual(AvroTestSupport.JsonLines(records, schema), Lines(python.StdOut), $"python reading our {codec} file");
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public void ApacheAvrocat_ReadsFilesWeWrite_RecordForRecord(AvroCodec codec)
    {
        var avrocat = AvroTestSupport.RequireAvrocat();
        var records = OurRecords(3000);
        var path = WriteOurs(codec, records);

        // avrocat exits 0 even when it fails, so stderr is the signal.
        var result = AvroTestSupport.Run(avrocat, [path]);

        Assert.True(result.StdErr.Length == 0, $"avrocat complained: {result.StdErr}");
        Assert.Equal(0, result.ExitCode);
        var lines = Lines(result.StdOut);
        Assert.Equal(records.Count, lines.Count);
        for (var i = 0; i < records.Count; i++)
        {
            // avrocat prints Avro's JSON encoding (unions wrapped as {"type": value}).
            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            Assert.Equal((long)records[i]["id"]!, root.GetProperty("id").GetInt64());
            Assert.Equal((string)records[i]["name"]!, root.GetProperty("name").GetString());
            Assert.Equal((long)records[i]["event_at"]!, root.GetProperty("event_at").GetInt64());
            var note = root.GetProperty("note");
            Assert.Equal((string?)records[i]["note"], note.ValueKind == JsonValueKind.Null ? null : note.GetProperty("string").GetString());
        }
    }

    [Fact]
    public void Reader_ReadsFilesApachePythonWrites_InEveryCodec()
    {
        var python = AvroTestSupport.RunPython(PythonWriteScript, InteropSchema, _dir);
        var expected = Lines(python.StdOut);
        Assert.Equal(3000, expected.Count);

        foreach (var codec in new[] { "null", "deflate", "snappy" })
        {
            using var reader = new AvroContainerReader(File.OpenRead(Path.Combine(_dir, $"python-{codec}.avro")));
            var actual = AvroTestSupport.JsonLines(reader.ReadRecords(), reader.Schema);
            Assert.Equal(codec, AvroCodecNames.ToWireName(reader.Codec));
            Assert.True(codec == "null" || reader.BlockCount > 1, "python's files should span several blocks");
            AvroTestSupport.AssertJsonLinesEqual(expected, actual, $"our reader on python's {codec} file");
        }
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public void ApacheDataFileReader_ReadsConvertedFiles_WithOurCodecsRegistered(AvroCodec codec)
    {
        AvroCodecs.Register();
        var lines = Enumerable.Range(1, 5000).Select(i => $"2019-08-27T00:{i / 60 % 60:00}:{i % 60:00}+02:00 GET /campaigns/{i} {2000020000000 + i}");
        var avro = new MemoryStream();
        Warehouse.Core.Conversion.RawConverter.Convert("http-log", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines))),
            "http_log.txt", avro, codec);

        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(avro.ToArray()));
        var records = new List<GenericRecord>();
        while (reader.HasNext())
        {
            records.Add(reader.Next());
        }

        Assert.Equal(5000, records.Count);
        Assert.Equal("/campaigns/4321", records[4320]["path"]);
        Assert.Equal(4321L, records[4320]["source_line"]);
        Assert.Equal(new DateTime(2019, 8, 26, 22, 12, 1, DateTimeKind.Utc), (DateTime)records[4320]["event_at"]);
    }
}

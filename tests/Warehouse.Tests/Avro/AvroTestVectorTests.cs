using System.Text.Json;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;

namespace Warehouse.Tests.Avro;

/// <summary>Apache Avro's own test files in /work/shared/data/avro.</summary>
public sealed class AvroTestVectorTests
{
    private static List<(string Station, long Time, int Temp)> ExpectedWeather() =>
        File.ReadLines(AvroTestSupport.DataFile("weather.json"))
            .Where(line => line.Length > 0)
            .Select(line =>
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                return (root.GetProperty("station").GetString()!, root.GetProperty("time").GetInt64(), root.GetProperty("temp").GetInt32());
            })
            .ToList();

    private static List<(string Station, long Time, int Temp)> ReadWeather(string file) =>
        AvroTestSupport.ReadAll(AvroTestSupport.DataFile(file))
            .Cast<AvroRecord>()
            .Select(r => ((string)r["station"]!, (long)r["time"]!, (int)r["temp"]!))
            .ToList();

    [Theory]
    [InlineData("weather.avro", AvroCodec.Null)]
    [InlineData("weather-deflate.avro", AvroCodec.Deflate)]
    [InlineData("weather-snappy.avro", AvroCodec.Snappy)]
    public void Reader_WeatherFiles_MatchWeatherJsonRecordForRecord(string file, AvroCodec codec)
    {
        using (var reader = new AvroContainerReader(File.OpenRead(AvroTestSupport.DataFile(file))))
        {
            Assert.Equal(codec, reader.Codec);
            Assert.Equal("test.Weather", reader.Schema.Fullname);
        }
        var expected = ExpectedWeather();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, ReadWeather(file));
    }

    [Fact]
    public void Reader_SortedWeatherFile_HoldsTheSameRecordsInSortedOrder()
    {
        var sorted = ReadWeather("weather-sorted.avro");
        Assert.Equal(ExpectedWeather().OrderBy(w => w).ToList(), sorted.OrderBy(w => w).ToList());
        Assert.NotEqual(ExpectedWeather(), sorted);
    }

    [Fact]
    public void Reader_FileWithSyncMarkerInMetadata_ReadsAllRecords()
    {
        var records = AvroTestSupport.ReadAll(AvroTestSupport.DataFile("syncInMeta.avro")).Cast<AvroRecord>().ToList();
        Assert.Equal(6001, records.Count);
        Assert.Equal("Dante", records[0]["First"]);
        Assert.Equal(Enumerable.Range(1, 6001).Select(i => (long)i), records.Select(r => (long)r["ID"]!));
    }

    [Fact]
    public void Reader_OtherApacheFiles_AreReadable()
    {
        Assert.Equal(["hello", "bonjour", "guten tag"], AvroTestSupport.ReadAll(AvroTestSupport.DataFile("simple-data.avro")).Cast<AvroRecord>().Take(3).Select(r => (string)r["text"]!));

        var unions = AvroTestSupport.ReadAll(AvroTestSupport.DataFile("withUnion-data.avro")).Cast<AvroRecord>().ToList();
        Assert.Equal("textValue", unions[0]["data1"]);
        Assert.Equal(123, unions[1]["data1"]);
        Assert.Null(unions[0]["data2"]);
        Assert.Equal(false, ((AvroRecord)unions[1]["data2"]!)["d1"]);

        foreach (var file in new[] { "avro-1279-codec.avro", "avro-1279-no-codec.avro" })
        {
            var records = AvroTestSupport.ReadAll(AvroTestSupport.DataFile(file)).Cast<AvroRecord>().ToList();
            Assert.Equal(3, records.Count);
            Assert.Equal(long.MinValue, records[1]["longField"]);
            Assert.Equal(double.MaxValue, records[2]["doubleField"]);
            Assert.Equal("MAX VALUES"u8.ToArray(), records[2]["bytesField"]);
        }

        Assert.Equal(new object?[] { null, 100 }, AvroTestSupport.ReadAll(AvroTestSupport.DataFile("avro-1237-good.avro")));
    }

    [Fact]
    public void Reader_TruncatedApacheFile_FailsWithClearError()
    {
        var ex = Assert.Throws<WarehouseException>(() => AvroTestSupport.ReadAll(AvroTestSupport.DataFile("avro-1238-truncated.avro")));
        Assert.Equal("avro-1238-truncated.avro: unexpected end of file inside block 1 (expected 7 more bytes)", ex.Message);
    }

    [Fact]
    public void Reader_BadUnionDiscriminant_FailsWithClearError()
    {
        var ex = Assert.Throws<WarehouseException>(() => AvroTestSupport.ReadAll(AvroTestSupport.DataFile("avro-1237-bad-union-discriminant.avro")));
        Assert.Equal("avro-1237-bad-union-discriminant.avro: block 1: union branch index 2 is out of range (the union has 2 branches: null, int)", ex.Message);
    }

    [Fact]
    public void Reader_ZstdFile_FailsSayingTheCodecIsNotSupported()
    {
        var ex = Assert.Throws<WarehouseException>(() => AvroTestSupport.ReadAll(AvroTestSupport.DataFile("weather-zstd.avro")));
        Assert.StartsWith("weather-zstd.avro: codec zstd is not supported", ex.Message, StringComparison.Ordinal);
    }
}

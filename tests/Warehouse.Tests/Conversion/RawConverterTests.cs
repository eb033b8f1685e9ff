using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;

namespace Warehouse.Tests.Conversion;

[Trait("Speed", "slow")] // interop: Apache's Python Avro reads our files of the real data sets
public sealed class RawConverterTests
{
    private static (ConvertResult Result, List<AvroRecord> Records, List<JsonElement> Rejects) Run(string format, string input,
        AvroCodec codec = AvroCodec.Deflate) => Run(format, Encoding.UTF8.GetBytes(input), codec);

    private static (ConvertResult Result, List<AvroRecord> Records, List<JsonElement> Rejects) Run(string format, byte[] input,
        AvroCodec codec = AvroCodec.Deflate)
    {
        using var avro = new MemoryStream();
        var rejects = new StringWriter();
        var result = RawConverter.Convert(format, new MemoryStream(input), "/some/dir/raw.txt", avro, codec, rejects);
        avro.Position = 0;
        using var reader = new AvroContainerReader(avro);
        var records = reader.ReadRecords().Cast<AvroRecord>().ToList();
        var rejectLines = rejects.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(result.LinesRead, result.RecordsWritten + result.Rejected + result.BlankSkipped);
        Assert.Equal(result.RecordsWritten, records.Count);
        Assert.Equal(result.Rejected, rejectLines.Count);
        return (result, records, rejectLines);
    }

    [Fact]
    public void Convert_MixedHttpLog_CountsEveryLineAndKeepsLineNumbers()
    {
        var (result, records, rejects) = Run("http-log",
            "2019-08-27T00:07:05+00:00 POST /rewards/1529 2000020076516\n" +
            "\n" +
            "2019-13-01T00:00:00Z GET /campaigns/1 u1\n" +
            "   \t \r\n" +
            "2019-08-27T05:37:05+05:30 GET /campaigns/2 u2\r\n" +
            "2019-08-27T00:07:05Z GET /campaigns/3\n" +
            "2019-08-26T16:07:05.25-08:00 GET /campaigns/4 u4");
        Assert.Equal(new ConvertResult(7, 3, 2, 2, 0, result.BytesRead, result.RawSha256), result);
        Assert.Equal([1L, 5L, 7L], records.Select(r => (long)r["source_line"]!));
        Assert.All(records, r => Assert.Equal("raw.txt", r["source_file"]));
        Assert.Equal("/campaigns/2", records[1]["path"]);
        Assert.Equal(Timestamps.ToMicros(new DateTimeOffset(2019, 8, 27, 0, 7, 5, TimeSpan.Zero)), records[1]["event_at"]);
        Assert.Equal(Timestamps.ToMicros(new DateTimeOffset(2019, 8, 27, 0, 7, 5, 250, TimeSpan.Zero)), records[2]["event_at"]);
        Assert.Equal([3, 6], rejects.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("2019-13-01T00:00:00Z GET /campaigns/1 u1", rejects[0].GetProperty("raw").GetString());
        Assert.Contains("is not ISO-8601 (month 13", rejects[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("expected 4 space-separated fields (timestamp method path user_id), got 3", rejects[1].GetProperty("reason").GetString());
    }

    [Fact]
    public void Convert_ByteOrderMarkAndNoFinalNewline_AreHandled()
    {
        byte[] input = [0xEF, 0xBB, 0xBF, .. "2019-08-27T00:07:05Z GET /a u1\n2019-08-27T00:07:06Z GET /b u2"u8];
        var (result, records, _) = Run("http-log", input);
        Assert.Equal((2L, 2L), (result.LinesRead, result.RecordsWritten));
        Assert.Equal("/b", records[1]["path"]);
    }

    [Fact]
    public void Convert_EmptyInput_WritesAValidEmptyAvroFile()
    {
        var (result, records, _) = Run("device-events", "");
        Assert.Equal(new ConvertResult(0, 0, 0, 0, 0, 0, System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([]))), result);
        Assert.Empty(records);
    }

    [Fact]
    public void Convert_InvalidUtf8AndOverlongLine_AreRejectedAndTheRestKept()
    {
        var longLine = new string('x', Utf8LineReader.DefaultMaxLineBytes + 10);
        byte[] input = [.. Encoding.UTF8.GetBytes("2019-08-27T00:07:05Z GET /"),
            0xC3, 0x28, .. Encoding.UTF8.GetBytes($" u\n{longLine}\n2019-08-27T00:07:05Z GET /ok u\n")];
        var (result, records, rejects) = Run("http-log", input);
        Assert.Equal((3L, 1L, 2L), (result.LinesRead, result.RecordsWritten, result.Rejected));
        Assert.Equal("line is not valid UTF-8", rejects[0].GetProperty("reason").GetString());
        Assert.Contains("\uFFFD", rejects[0].GetProperty("raw").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, rejects[1].GetProperty("line").GetInt32());
        Assert.StartsWith("line is longer than", rejects[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3L, records[0]["source_line"]);
    }

    [Fact]
    public void Convert_Webshop_WritesNullableFieldsAndFamilies()
    {
        var (_, records, rejects) = Run("webshop-events",
            """{"id": 1, "type": "add_to_cart", "event": {"user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1", "customer-id": "77", "timestamp": "2022-04-28T07:38:46+02:00", "product": {"id": "p1"}}}""" + "\n" +
            """{"id": 2, "type": "page_view", "event": {"timestamp": "2022-04-28T07:38:46", "page": "/"}}""" + "\n" +
            """{"id": 3, "type": "page_view", "event": {"timestamp": "2022-04-28T07:38:46", "page": "/"}""" + "\n");
        Assert.Equal(2, records.Count);
        var first = records[0];
        Assert.Equal(("77", "Mobile Safari", "iOS", "iPhone", """{"product":{"id":"p1"}}"""),
            (first["customer_id"], first["browser_family"], first["os_family"], first["device_family"], first["properties"]));
        Assert.Equal(Timestamps.ToMicros(new DateTimeOffset(2022, 4, 28, 5, 38, 46, TimeSpan.Zero)), first["event_at"]);
        Assert.Null(records[1]["user_agent"]);
        Assert.Null(records[1]["browser_family"]);
        Assert.Equal(2L, records[1]["source_line"]);
        Assert.StartsWith("invalid JSON: ", rejects.Single().GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_Clickstream_ChecksHeaderAndCountsDataLinesOnly()
    {
        var (result, records, rejects) = Run("clickstream-csv",
            "ip,original_timestamp,productId,userAgent,userId\r\n" +
            "10.0.0.1,1554767994,P123,\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0 Safari/537.36\",u42\r\n" +
            "\r\n" +
            "10.0.0.2,1554767995.5,,,u43\r\n" +
            "10.0.0.3,1554767996,P1,\"broken,u44\r\n");
        Assert.Equal(new ConvertResult(4, 2, 1, 1, 1, result.BytesRead, result.RawSha256), result);
        Assert.Equal([2L, 4L], records.Select(r => (long)r["source_line"]!));
        Assert.Equal(("u42", "Chrome", "Windows"), (records[0]["user_id"], records[0]["browser_family"], records[0]["os_family"]));
        Assert.Equal(1554767995_500000L, records[1]["event_at"]);
        Assert.Null(records[1]["product_id"]);
        Assert.Equal(5, rejects.Single().GetProperty("line").GetInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("userId,ip\n1,2\n")]
    public void Convert_ClickstreamWithoutTheHeader_FailsWithClearError(string input)
    {
        var e = Assert.Throws<WarehouseException>(() => RawConverter.Convert("clickstream-csv", new MemoryStream(Encoding.UTF8.GetBytes(input)),
            "c.csv", new MemoryStream()));
        Assert.Contains("c.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_UnknownFormat_FailsListingTheKnownOnes()
    {
        var e = Assert.Throws<WarehouseException>(() => RawConverter.Convert("syslog", new MemoryStream(), "x", new MemoryStream()));
        Assert.Equal("unknown format 'syslog' (expected one of: http-log, webshop-events, device-events, clickstream-csv, " +
            "combined, common, apache, nginx)", e.Message);
    }

    [Fact]
    public void Convert_ReportsProgressInBytes()
    {
        var reported = new List<long>();
        var input = Encoding.UTF8.GetBytes("2019-08-27T00:07:05Z GET /a u1\n");
        RawConverter.Convert("http-log", new MemoryStream(input), "x", new MemoryStream(), AvroCodec.Null, null, new SyncProgress(reported.Add));
        Assert.Equal(input.Length, reported.Last());
    }

    [Fact]
    public void Convert_PerxHttpLog_GivesExactly16000RecordsAndNoRejects()
    {
        using var input = File.OpenRead(SharedDataFiles.PerxHttpLog);
        using var avro = new MemoryStream();
        var rejects = new StringWriter();
        var result = RawConverter.Convert("http-log", input, SharedDataFiles.PerxHttpLog, avro, AvroCodec.Deflate, rejects);
        Assert.Equal(new ConvertResult(16_000, 16_000, 0, 0, 0, new FileInfo(SharedDataFiles.PerxHttpLog).Length,
            System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(SharedDataFiles.PerxHttpLog)))), result);
        Assert.Equal("", rejects.ToString());
        avro.Position = 0;
        using var reader = new AvroContainerReader(avro);
        var records = reader.ReadRecords().Cast<AvroRecord>().ToList();
        Assert.Equal(16_000, records.Count);
        Assert.Equal(Enumerable.Range(1, 16_000).Select(i => (long)i), records.Select(r => (long)r["source_line"]!));
        Assert.All(records, r => Assert.Equal("http_log.txt", r["source_file"]));
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    [InlineData(AvroCodec.Snappy)]
    public async Task Convert_PerxHttpLog_ReadsTheSameInApachePythonAvroAsInOurReader(AvroCodec codec)
    {
        var path = Path.Combine(Path.GetTempPath(), $"perx-{codec}-{Guid.NewGuid():N}.avro");
        try
        {
            using (var input = File.OpenRead(SharedDataFiles.PerxHttpLog))
            using (var output = File.Create(path))
            {
                RawConverter.Convert("http-log", input, "http_log.txt", output, codec);
            }
            List<string> ours;
            using (var reader = new AvroContainerReader(File.OpenRead(path)))
            {
                ours = reader.ReadRecords().Cast<AvroRecord>()
                    .Select(r => $"{r["user_id"]}\t{r["path"]}\t{r["method"]}\t{r["event_at"]}\t{r["source_line"]}").ToList();
            }
            var theirs = await ReadWithApachePythonAsync(path);
            Assert.Equal(16_000, ours.Count);
            Assert.Equal(ours.Count, theirs.Count);
            for (var i = 0; i < ours.Count; i++)
            {
                Assert.True(ours[i] == theirs[i], $"record {i + 1}: ours '{ours[i]}', Apache's '{theirs[i]}'");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Apache's own Python implementation (python3-avro) reads the file and prints the compared fields.</summary>
    private static async Task<List<string>> ReadWithApachePythonAsync(string path)
    {
        const string script = """
            import sys, datetime, avro.datafile, avro.io
            epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            with avro.datafile.DataFileReader(open(sys.argv[1], 'rb'), avro.io.DatumReader()) as r:
                for d in r:
                    micros = (d['event_at'] - epoch) // datetime.timedelta(microseconds=1)
                    print(f"{d['user_id']}\t{d['path']}\t{d['method']}\t{micros}\t{d['source_line']}")
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Warehouse.Core;
using Warehouse.Core.Avro;
using Xunit;
using CliProcess = Warehouse.Tests.Infrastructure.Cli;

namespace Warehouse.Tests.Avro;

/// <summary>
/// Work and memory per block are bounded, whatever a file declares: records and array items that take no bytes are
/// capped per block, a block holds at most 64 MB stored or decompressed, and the header at most 16 MB in 1,000 entries.
/// Each hostile file is read on a worker with a deadline, so a regression fails the test instead of hanging the suite.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class AvroBoundsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Reads every record; returns the error, the bytes allocated while reading and how long it took.</summary>
    private static async Task<(WarehouseException Error, long Allocated, TimeSpan Elapsed)> ReadFailsAsync(byte[] file, bool seekable = true)
    {
        var read = Task.Run(() =>
        {
            Stream stream = seekable ? new MemoryStream(file) : new AvroTestSupport.NonSeekableStream(file);
            var stopwatch = Stopwatch.StartNew();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<WarehouseException>(() =>
            {
                using var reader = new AvroContainerReader(stream, "hostile.avro");
                foreach (var unused in reader.ReadRecords())
                {
                    // drain
                }
            });
            return (error, GC.GetAllocatedBytesForCurrentThread() - before, stopwatch.Elapsed);
        });
        var result = await read.WaitAsync(Deadline);
        Assert.StartsWith("hostile.avro: ", result.error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.error.Message);
        return result;
    }

    /// <summary>A container of <paramref name="schemaJson"/> and <paramref name="codec"/> with hand-made blocks.</summary>
    private static byte[] File(string schemaJson, AvroCodec codec, params (long Count, byte[] Data)[] blocks)
    {
        var header = AvroTestSupport.Write(schemaJson, codec, []);
        var sync = header.AsSpan(header.Length - 16);
        var encoder = new AvroEncoder();
        encoder.WriteFixed(header);
        foreach (var (count, data) in blocks)
        {
            encoder.WriteLong(count);
            encoder.WriteLong(data.Length);
            encoder.WriteFixed(data);
            encoder.WriteFixed(sync);
        }
        return encoder.WrittenSpan.ToArray();
    }

    private const string FieldlessRecord = """{"type":"record","name":"Nothing","fields":[]}""";

    [Fact]
    public async Task Reader_WhenABlockDeclaresAQuadrillionFieldlessRecords_FailsAtOnce()
    {
        var file = File(FieldlessRecord, AvroCodec.Null, (1_000_000_000_000_000, []));
        Assert.True(file.Length < 200, $"the file is {file.Length} bytes");

        var (error, allocated, elapsed) = await ReadFailsAsync(file);

        Assert.Equal("hostile.avro: block 1 declares 1000000000000000 records of a type that takes no bytes; " +
            "a block may hold at most 10000000 such values", error.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"took {elapsed}");
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Reader_FieldlessRecordsUpToTheCap_AreRead()
    {
        var file = File(FieldlessRecord, AvroCodec.Null, (3, []), (AvroDecoder.MaxZeroSizeValuesPerBlock, []));

        using var reader = new AvroContainerReader(new MemoryStream(file), "fine.avro");

        Assert.Equal([3, AvroDecoder.MaxZeroSizeValuesPerBlock], reader.ReadBlocks().Select(b => b.Count));
    }

    [Fact]
    public async Task Reader_WhenRecordsOfABlockDeclareTooManyArrayItemsThatTakeNoBytes_FailsAtOnce()
    {
        // Each record is one array of nulls declaring a million items in four bytes: the block size cannot bound them.
        var data = new AvroEncoder();
        for (var i = 0; i < 100_000; i++)
        {
            data.WriteArrayBlock(1_000_000);
            data.WriteArrayEnd();
        }
        var file = File("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"null"}}]}""",
            AvroCodec.Null, (100_000, data.WrittenSpan.ToArray()));

        var (error, _, elapsed) = await ReadFailsAsync(file);

        Assert.Equal("hostile.avro: block 1: array declares 1000000 items of a type that takes no bytes; " +
            "a block may hold at most 10000000 such values", error.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed}");
    }

    /// <summary>Raw deflate of <paramref name="bytes"/> zero bytes, written in chunks: about a thousandth of their size.</summary>
    private static byte[] DeflatedZeros(long bytes)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.Length)
            {
                deflate.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
            }
        }
        return compressed.ToArray();
    }

    [Fact]
    public async Task Reader_OfADeflateBomb_FailsAtTheBlockCapWithBoundedMemory()
    {
        // 100 MB of zeros in about 100 KB: more than a block may hold, so reading stops at the cap.
        var bomb = DeflatedZeros(100L * 1024 * 1024);
        Assert.True(bomb.Length < 1024 * 1024, $"the bomb is {bomb.Length} bytes");
        var file = File("\"long\"", AvroCodec.Deflate, (1, bomb));

        var (error, allocated, _) = await ReadFailsAsync(file);

        Assert.Equal($"hostile.avro: block 1 inflates to more than the {AvroContainerReader.MaxBlockBytes} bytes a block may hold", error.Message);
        Assert.True(allocated < 3L * AvroContainerReader.MaxBlockBytes, $"allocated {allocated / (1024 * 1024)} MB");
    }

    [Fact]
    public async Task Reader_WhenSnappyDeclaresMoreThanTheBlockCap_FailsBeforeDecompressing()
    {
        // The snappy block starts with the uncompressed length as an unsigned varint.
        var block = new List<byte>();
        for (var length = (uint)AvroContainerReader.MaxBlockBytes + 1; ; length >>= 7)
        {
            block.Add((byte)(length < 0x80 ? length : (length & 0x7F) | 0x80));
            if (length < 0x80)
            {
                break;
            }
        }
        // Enough data that the declared length is within snappy's own expansion bound (22x), plus the CRC32.
        block.AddRange(new byte[AvroContainerReader.MaxBlockBytes / 20 + 4]);
        var file = File("\"long\"", AvroCodec.Snappy, (1, block.ToArray()));

        var (error, allocated, _) = await ReadFailsAsync(file);

        Assert.Equal($"hostile.avro: block 1 decompresses to {AvroContainerReader.MaxBlockBytes + 1} bytes, more than the " +
            $"{AvroContainerReader.MaxBlockBytes} bytes a block may hold", error.Message);
        Assert.True(allocated < 3 * file.Length, $"allocated {allocated} bytes reading {file.Length}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reader_WhenABlockIsLargerThanTheCap_FailsBeforeReadingIt(bool seekable)
    {
        var file = File("\"long\"", AvroCodec.Null, (1, new byte[AvroContainerReader.MaxBlockBytes + 1]));

        var (error, allocated, _) = await ReadFailsAsync(file, seekable);

        Assert.Equal($"hostile.avro: block 1 declares {AvroContainerReader.MaxBlockBytes + 1} bytes, more than the " +
            $"{AvroContainerReader.MaxBlockBytes} bytes a block may hold", error.Message);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task Reader_WhenTheHeaderHoldsMoreThan16MB_Fails()
    {
        var pad = new string('x', AvroContainerReader.MaxHeaderBytes);
        var file = AvroTestSupport.Write("\"long\"", AvroCodec.Null, [1L], new Dictionary<string, string> { ["x.pad"] = pad });

        var (error, _, _) = await ReadFailsAsync(file);

        Assert.StartsWith($"hostile.avro: the header's metadata exceeds {AvroContainerReader.MaxHeaderBytes} bytes", error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_WhenTheHeaderHasMoreThanAThousandEntries_Fails()
    {
        var metadata = Enumerable.Range(0, 1001).ToDictionary(i => $"x.{i}", i => "");

        var file = AvroTestSupport.Write("\"long\"", AvroCodec.Null, [1L], metadata);
        var (error, _, _) = await ReadFailsAsync(file);

        Assert.Equal("hostile.avro: the header declares more than 1000 metadata entries", error.Message);
    }

    [Fact]
    public async Task AvroCat_OfAQuadrillionFieldlessRecords_FailsWithOneLineInsteadOfHanging()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fieldless-{Guid.NewGuid():N}.avro");
        await System.IO.File.WriteAllBytesAsync(path, File(FieldlessRecord, AvroCodec.Null, (1_000_000_000_000_000, [])));
        try
        {
            var result = await CliProcess.RunAsync(["avro", "cat", path], timeout: TimeSpan.FromSeconds(60));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Stdout);
            Assert.Equal($"error: {Path.GetFileName(path)}: block 1 declares 1000000000000000 records of a type that takes no bytes; " +
                "a block may hold at most 10000000 such values", result.Stderr.Trim());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}

using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Tests.Infrastructure;
using CliProcess = Warehouse.Tests.Infrastructure.Cli;

namespace Warehouse.Tests.Load;

/// <summary>
/// A corrupt Avro file is refused by <c>load</c> with the reader's own message, the one <c>avro cat</c> prints, not with
/// what PostgreSQL says about a COPY stream cut short; and nothing of the file is loaded.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class CorruptAvroLoadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("corrupt-load-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An uncompressed http-log file of several blocks and the offsets where each block starts.</summary>
    private static (byte[] Bytes, List<int> BlockStarts) ThreeBlockFile()
    {
        var lines = Enumerable.Range(0, 6000).Select(i => $"2019-08-27T00:07:05Z GET /campaigns/{i} user{i}");
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        using var output = new MemoryStream();
        RawConverter.Convert("http-log", input, "http_log.txt", output, AvroCodec.Null);
        var bytes = output.ToArray();
        // The header ends with the 16-byte sync marker and every block ends with it again, so the last 16 bytes are it.
        var sync = bytes[^16..];
        var starts = new List<int>();
        for (var at = IndexOf(bytes, sync, 0); at >= 0 && at + 16 < bytes.Length; at = IndexOf(bytes, sync, at + 16))
        {
            starts.Add(at + 16);
        }
        Assert.True(starts.Count >= 3, $"expected at least 3 blocks, found {starts.Count}");
        return (bytes, starts);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle, int from)
    {
        var at = haystack.AsSpan(from).IndexOf(needle);
        return at < 0 ? -1 : from + at;
    }

    public static TheoryData<string> Corruptions =>
        ["truncated in block 2", "block 2 size flipped", "block 2 count flipped", "block 2 sync marker flipped", "block 2 string not UTF-8"];

    private string Corrupt(string how)
    {
        var (bytes, starts) = ThreeBlockFile();
        bytes = how switch
        {
            "truncated in block 2" => bytes[..(starts[1] + 500)],
            "block 2 size flipped" => Flip(bytes, starts[1] + 2),   // after a two-byte record count
            "block 2 count flipped" => Flip(bytes, starts[1]),
            "block 2 sync marker flipped" => Flip(bytes, starts[2] - 5),
            "block 2 string not UTF-8" => Set(bytes, IndexOf(bytes, "/campaigns/"u8, starts[1]) + 2, 0xFF),
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };
        var path = Path.Combine(_folder, how.Replace(' ', '_') + ".avro");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Set(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Load_OfACorruptFile_FailsWithTheReadersMessageAndLoadsNothing(string how)
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(CorruptAvroLoadTests) + how.Replace(' ', '_'));
        var file = Corrupt(how);

        var cat = await CliProcess.RunAsync("avro", "cat", file);
        var load = await CliProcess.RunAsync("load", file, "--database", TestDatabase.UrlFor(db));

        Assert.Equal(1, cat.ExitCode);
        Assert.StartsWith($"error: {Path.GetFileName(file)}: ", cat.Stderr, StringComparison.Ordinal);
        Assert.True(load.ExitCode == 1, load.ToString());
        Assert.Equal(cat.Stderr.Trim(), load.Stderr.Trim());
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.loaded_files"));
    }
}

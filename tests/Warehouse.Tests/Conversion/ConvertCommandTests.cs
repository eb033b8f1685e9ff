using Warehouse.Core.Avro;
using Warehouse.Core.Pipeline;
using CliProcess = Warehouse.Tests.Infrastructure.Cli;

namespace Warehouse.Tests.Conversion;

[Trait("Speed", "slow")] // the CLI as a process
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("convert-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Convert_PerxLog_PrintsCountsAndWritesNoRejectsFile()
    {
        var output = Path.Combine(_dir, "perx.avro");
        var result = await CliProcess.RunAsync("convert", "--format", "http-log", SharedDataFiles.PerxHttpLog, "-o", output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("converted 16000 lines: 16000 records, 0 rejected, 0 blank", result.Stdout.Trim());
        using var reader = new AvroContainerReader(File.OpenRead(output));
        Assert.Equal(AvroCodec.Deflate, reader.Codec);
        Assert.Equal(16_000, reader.ReadRecords().Count());
        Assert.Equal(["perx.avro"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("combined")]
    [InlineData("apache")]
    [InlineData("nginx")]
    public async Task Convert_RealApacheLog_WritesAccessLogRecordsAndRejectsTheOneCutLine(string format)
    {
        var output = Path.Combine(_dir, "access.avro");
        var result = await CliProcess.RunAsync("convert", "--format", format, SharedDataFiles.ApacheAccessLog, "-o", output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("converted 10000 lines: 9999 records, 1 rejected, 0 blank", result.Stdout.Split('\n')[0].Trim());
        using var reader = new AvroContainerReader(File.OpenRead(output));
        Assert.Equal("warehouse.raw.AccessLogRequest", reader.Schema.Fullname);
        Assert.Equal(9_999, reader.ReadRecords().Count());
        Assert.Contains("\"line\": 8899", File.ReadAllText(Path.Combine(_dir, "access.rejects.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_WithRejects_ExitsZeroAndWritesDefaultRejectsFile()
    {
        var input = Write("log.txt", "2019-08-27T00:07:05Z GET /a u1\n\nnonsense line\n");
        var output = Path.Combine(_dir, "out.avro");
        var result = await CliProcess.RunAsync("convert", "--format", "http-log", input, "-o", output, "--codec", "snappy");
        Assert.True(result.ExitCode == 0, result.ToString());
        var rejects = Path.Combine(_dir, "out.rejects.jsonl");
        Assert.StartsWith("converted 3 lines: 1 records, 1 rejected, 1 blank", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(rejects, result.Stdout, StringComparison.Ordinal);
        Assert.Equal("""{"line": 3, "raw": "nonsense line", "reason": "expected 4 space-separated fields (timestamp method path user_id), got 2"}""",
            File.ReadAllText(rejects).Trim());
    }

    [Fact]
    public async Task Convert_RerunWithoutRejects_RemovesTheStaleDefaultRejectsFile()
    {
        var stale = Write("out.rejects.jsonl", "{\"line\": 1}\n");
        var input = Write("log.txt", "2019-08-27T00:07:05Z GET /a u1\n");
        var result = await CliProcess.RunAsync("convert", "--format", "http-log", input, "-o", Path.Combine(_dir, "out.avro"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public async Task Convert_ClickstreamWithWrongHeader_FailsAndLeavesNoOutput()
    {
        var input = Write("clicks.csv", "userId,ip\nu1,10.0.0.1\n");
        var output = Path.Combine(_dir, "clicks.avro");
        var result = await CliProcess.RunAsync("convert", "--format", "clickstream-csv", input, "-o", output);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: clicks.csv:1: expected header 'ip,original_timestamp,productId,userAgent,userId', found 'userId,ip'",
            result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal(["clicks.csv"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("syslog", "in", "out.avro", "error: unknown format 'syslog'")]
    [InlineData("http-log", "missing.txt", "out.avro", "error: ")]
    [InlineData("http-log", "in", "no/such/folder/out.avro", "error: cannot write ")]
    public async Task Convert_BadArguments_FailWithOneErrorLine(string format, string input, string output, string expected)
    {
        var inputPath = input == "in" ? Write("in.txt", "2019-08-27T00:07:05Z GET /a u1\n") : Path.Combine(_dir, input);
        var result = await CliProcess.RunAsync("convert", "--format", format, inputPath, "-o", Path.Combine(_dir, output));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal("", result.Stdout);
    }

    /// <summary>
    /// A character device like /dev/full (1,7) or /dev/null (1,3). Made with mknod in the test's folder when allowed
    /// (root), so a regression that renames over the target replaces the test's node, not the machine's /dev/full.
    /// </summary>
    private string CharacterDevice(string name, int minor)
    {
        var path = Path.Combine(_dir, name);
        using var mknod = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mknod", [path, "c", "1", $"{minor}"])
        {
            RedirectStandardError = true,
        })!;
        mknod.WaitForExit();
        path = mknod.ExitCode == 0 ? path : $"/dev/{name}";
        Assert.Equal(FileKind.CharacterDevice, LocalFiles.KindOf(path));
        return path;
    }

    [Fact]
    public async Task Convert_ToAFullDevice_FailsNamingTheProblemAndLeavesTheDeviceInPlace()
    {
        var full = CharacterDevice("full", 7);
        var input = Write("log.txt", "2019-08-27T00:07:05Z GET /a u1\n");

        var result = await CliProcess.RunAsync("convert", "--format", "http-log", input, "-o", full);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: cannot write {full}: No space left on device", result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
        Assert.Equal(FileKind.CharacterDevice, LocalFiles.KindOf(full));
    }

    [Fact]
    public async Task Convert_ToTheNullDevice_SucceedsAndLeavesTheDeviceInPlace()
    {
        var devNull = CharacterDevice("null", 3);
        var input = Write("log.txt", "2019-08-27T00:07:05Z GET /a u1\nnonsense\n");

        var result = await CliProcess.RunAsync("convert", "--format", "http-log", input, "-o", devNull);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("converted 2 lines: 1 records, 1 rejected", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("rejected lines were not kept: give --rejects FILE to keep them", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(FileKind.CharacterDevice, LocalFiles.KindOf(devNull));
        Assert.Equal(["log.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName).Where(n => n != "null"));
    }

    /// <summary>Issue 18's first complaint: the real access log converted as http-log said "0 records, 10000 rejected" and exited 0.</summary>
    [Fact]
    public async Task Convert_OfAFileThatRejectsMostLines_ExitsThreeNamingTheRateAndTopReasons()
    {
        var output = Path.Combine(_dir, "wrong.avro");

        var result = await CliProcess.RunAsync("convert", "--format", "http-log", SharedDataFiles.ApacheAccessLog, "-o", output);

        Assert.Equal(3, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: access.log: 10,000 of 10,000 lines rejected (100%), over the limit of 50% (--max-reject-rate)", line);
        Assert.Contains("Top reasons: expected N space-separated fields", line);
    }
}

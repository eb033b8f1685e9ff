using System.IO.Compression;
using System.Text;
using Warehouse.Core;
using Warehouse.Core.Conversion;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Conversion;

/// <summary>A .gz input is read whole or refused: a file cut short (still being copied) never loads in part.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class GzipContentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gzip-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(
        Enumerable.Range(1, 20000).Select(i => $"2019-08-27T10:{i / 60 % 60:00}:{i % 60:00}Z GET /campaigns/{i % 97} u{i % 300}\n")));

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }

    private static long ReadAll(Stream stream)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }
        return total;
    }

    /// <summary>The shortfall GzipContent exists for: if this starts failing, .NET detects truncation itself.</summary>
    [Fact]
    public void DotNetGZipStream_OfATruncatedFile_EndsWithoutAnError()
    {
        var cut = Gzip(Text)[..40_000];

        var read = ReadAll(new GZipStream(new MemoryStream(cut), CompressionMode.Decompress));

        Assert.InRange(read, 1, Text.Length - 1);
    }

    [Fact]
    public void Read_OfAWholeFile_GivesEveryByte()
    {
        using var content = new GzipContent(new MemoryStream(Gzip(Text)), reopen: null, "a.gz");

        Assert.Equal(Text.Length, ReadAll(content));
    }

    [Theory]
    [InlineData(40_000)]
    [InlineData(-4)] // only the length of the trailer missing
    [InlineData(-8)] // the whole trailer missing
    public void Read_OfAFileCutShort_IsRefused(int cutAt)
    {
        var bytes = Gzip(Text);
        var cut = bytes[..(cutAt > 0 ? cutAt : bytes.Length + cutAt)];
        var path = Path.Combine(_folder, "cut.gz");
        File.WriteAllBytes(path, cut);
        using var content = new GzipContent(new MemoryStream(cut), () => File.OpenRead(path), "cut.gz");

        var error = Assert.Throws<WarehouseException>(() => ReadAll(content));

        Assert.StartsWith("cut.gz: the gzip file is cut short or corrupt", error.Message);
    }

    [Fact]
    public void Read_OfSeveralMembers_GivesEveryByteWhenTheFileCanBeReadAgain()
    {
        var two = Gzip(Text).Concat(Gzip(Text)).ToArray();
        var path = Path.Combine(_folder, "two.gz");
        File.WriteAllBytes(path, two);
        using var local = new GzipContent(new MemoryStream(two), () => File.OpenRead(path), "two.gz");
        using var remote = new GzipContent(new MemoryStream(two), reopen: null, "two.gz");

        Assert.Equal(2L * Text.Length, ReadAll(local));
        Assert.Throws<WarehouseException>(() => ReadAll(remote));
    }

    [Fact]
    public async Task Run_WithAGzipFileCutShort_FailsInOneLineAndLoadsNothing()
    {
        var connection = await TestDatabase.CreateMigratedAsync(nameof(Run_WithAGzipFileCutShort_FailsInOneLineAndLoadsNothing));
        var db = TestDatabase.UrlFor(connection);
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        File.WriteAllBytes(Path.Combine(input, "http_log.txt.gz"), Gzip(Text)[..40_000]);
        File.WriteAllBytes(Path.Combine(input, "http_log_2.txt"), Text[..1000]);
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _folder };

        var run = await Infrastructure.Cli.RunAsync(["run", "--input", input, "--database", db], home);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("http_log.txt.gz: the gzip file is cut short or corrupt", run.Stderr);
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(connection, "select count(*) from staging.loaded_files"));
    }

    [Fact]
    public async Task Load_OfAGzipFileConvertedByConvert_AfterARunLoadedIt_LoadsNothing()
    {
        var db = TestDatabase.UrlFor(await TestDatabase.CreateEmptyAsync(nameof(Load_OfAGzipFileConvertedByConvert_AfterARunLoadedIt_LoadsNothing)));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var gz = Path.Combine(input, "http_log.txt.gz");
        File.WriteAllBytes(gz, Gzip(Text));
        var avro = Path.Combine(_folder, "converted.avro");
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _folder };

        var run = await Infrastructure.Cli.RunAsync(["run", "--input", input, "--database", db], home);
        var convert = await Infrastructure.Cli.RunAsync("convert", "--format", "http-log", gz, "-o", avro);
        var load = await Infrastructure.Cli.RunAsync("load", avro, "--database", db);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(convert.ExitCode == 0, convert.ToString());
        Assert.Contains("already loaded", load.Stdout);
    }
}

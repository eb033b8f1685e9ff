using System.Diagnostics;
using Warehouse.Core.Pipeline;
using Warehouse.Tests.Infrastructure;
using CliProcess = Warehouse.Tests.Infrastructure.Cli;

namespace Warehouse.Tests.Pipeline;

/// <summary>
/// Only regular files are read: a FIFO with an input's name would block the run for ever (no writer ever comes), a
/// directory with one would be passed over without a word. Every CLI run here has a timeout, so a hang fails the test
/// instead of the suite.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class NonRegularInputTests : IDisposable
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("non-regular-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Fifo(string name)
    {
        var path = Path.Combine(_dir, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        Assert.Equal(FileKind.Fifo, LocalFiles.KindOf(path));
        return path;
    }

    private string InputFolderWithAFifoAndADirectory()
    {
        var input = Directory.CreateDirectory(Path.Combine(_dir, "input")).FullName;
        Fifo(Path.Combine("input", "http_log.txt"));
        Directory.CreateDirectory(Path.Combine(input, "clickstream.csv"));
        Directory.CreateDirectory(Path.Combine(input, "expected_by_hand"));
        File.WriteAllText(Path.Combine(input, "http_log_small.txt"), "2019-08-27T00:07:05+00:00 GET /campaigns/1 u1\n");
        return input;
    }

    [Fact]
    public void Scan_OfAFolder_ListsAFifoAndADirectoryWithInputNamesAsSkippedWithTheReason()
    {
        var input = InputFolderWithAFifoAndADirectory();

        var inputs = InputDiscovery.Scan(input);

        Assert.Equal(
            [
                ("clickstream.csv", InputKind.Skipped, "not a regular file: a directory"),
                ("http_log.txt", InputKind.Skipped, "not a regular file: a FIFO"),
                ("http_log_small.txt", InputKind.Raw, null),
            ],
            inputs.Select(i => (i.Name, i.Kind, i.SkipReason)));
    }

    [Fact]
    public async Task Run_WithAFifoAndADirectoryNamedAsInputs_ReadsTheRestAndSaysWhyTheyWereSkipped()
    {
        var input = InputFolderWithAFifoAndADirectory();
        var db = await TestDatabase.CreateEmptyAsync(nameof(NonRegularInputTests) + "run");
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = Path.Combine(_dir, "home") };

        var result = await CliProcess.RunAsync(["run", "--input", input, "--database", TestDatabase.UrlFor(db)], home, timeout: NoHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("skipped http_log.txt (not a regular file: a FIFO)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("skipped clickstream.csv (not a regular file: a directory)", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("expected_by_hand", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
    }

    [Fact]
    public async Task Run_WithAFifoAsTheInput_FailsWithOneLineInsteadOfWaiting()
    {
        var fifo = Fifo("http_log.txt");
        var db = await TestDatabase.CreateEmptyAsync(nameof(NonRegularInputTests) + "fifo");
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = Path.Combine(_dir, "home") };

        var result = await CliProcess.RunAsync(["run", "--input", fifo, "--database", TestDatabase.UrlFor(db)], home, timeout: NoHang);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {fifo}: not a regular file (a FIFO); only regular files are read", result.Stderr.Trim());
    }

    [Fact]
    public async Task Convert_OfAFifo_FailsWithOneLineInsteadOfWaiting()
    {
        var fifo = Fifo("http_log.txt");

        var result = await CliProcess.RunAsync(["convert", "--format", "http-log", fifo, "-o", Path.Combine(_dir, "out.avro")], timeout: NoHang);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {fifo}: not a regular file (a FIFO); only regular files are read", result.Stderr.Trim());
        Assert.False(File.Exists(Path.Combine(_dir, "out.avro")));
    }

    [Fact]
    public async Task Convert_OfADirectory_SaysItIsADirectory()
    {
        var result = await CliProcess.RunAsync(["convert", "--format", "http-log", _dir, "-o", Path.Combine(_dir, "out.avro")], timeout: NoHang);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {_dir}: not a regular file (a directory); only regular files are read", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("directory")]
    public async Task Load_OfAFifoOrADirectory_FailsWithOneLineInsteadOfWaiting(string kind)
    {
        var path = kind == "fifo" ? Fifo("http_log.avro") : Directory.CreateDirectory(Path.Combine(_dir, "http_log.avro")).FullName;

        var result = await CliProcess.RunAsync(["load", path, "--database", "postgresql://127.0.0.1:1/none"], timeout: NoHang);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {path}: not a regular file (a {(kind == "fifo" ? "FIFO" : "directory")}); only regular files are read",
            result.Stderr.Trim());
    }
}

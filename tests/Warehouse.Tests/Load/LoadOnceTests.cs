using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;
using Warehouse.Core.Load;
using Warehouse.Core.Migrations;
using Warehouse.Core.Pipeline;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Load;

/// <summary>A raw file is loaded once: a load is known by the raw bytes that were converted, whatever the Avro bytes.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class LoadOnceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("load-once-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] Lines = Enumerable.Range(1, 500).Select(i => $"2019-08-27T10:{i / 60:00}:{i % 60:00}Z GET /campaigns/{i} u{i % 7}").ToArray();

    private string WriteRaw(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private string ConvertToAvro(string raw, string avroName)
    {
        var avro = Path.Combine(_folder, avroName);
        using var input = File.OpenRead(raw);
        using var output = File.Create(avro);
        RawConverter.Convert("http-log", input, Path.GetFileName(raw), output);
        return avro;
    }

    private sealed class Progress(Action<string> onBytes) : IRunProgress
    {
        public void Stage(string name) { }

        public IProgress<long> Bytes(string what, long total)
        {
            onBytes(what);
            return new Progress<long>();
        }

        public void Done(string what) { }
    }

    private Task<RunSummary> RunAsync(string db, string input, IRunProgress? progress = null) =>
        new RunPipeline(db, TextWriter.Null, progress ?? new Progress(_ => { })).RunAsync(new RunOptions
        {
            InputDirectory = input,
            WorkDirectory = Path.Combine(_folder, "work"),
            Migrations = new MigrationOptions { Directory = TestDatabase.MigrationsDirectory },
            Jobs = 1,
        });

    [Fact]
    public void Convert_StoresTheHashOfTheRawBytesInTheAvroMetadata()
    {
        var raw = WriteRaw("http_log.txt", Lines);

        var avro = ConvertToAvro(raw, "a.avro");
        using var reader = new AvroContainerReader(File.OpenRead(avro));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(raw))),
            Encoding.UTF8.GetString(reader.Metadata[RawConverter.RawSha256Key]));
    }

    [Fact]
    public async Task Load_TwoConversionsOfOneRawFile_LoadsItOnce()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Load_TwoConversionsOfOneRawFile_LoadsItOnce));
        var raw = WriteRaw("http_log.txt", Lines);
        var a = ConvertToAvro(raw, "a.avro");
        var b = ConvertToAvro(raw, "b.avro");
        var loader = new StagingLoader(db);

        var first = await loader.LoadAvroAsync(a);
        var second = await loader.LoadAvroAsync(b);

        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b)); // the sync markers differ, the identity does not
        Assert.Equal((500L, false, true), (first.Rows, first.AlreadyLoaded, second.AlreadyLoaded));
        Assert.Equal(500, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
    }

    [Fact]
    public async Task Load_OfAnAvroFileConvertedFromARawFileARunLoaded_LoadsNothing()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Load_OfAnAvroFileConvertedFromARawFileARunLoaded_LoadsNothing));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var raw = WriteRaw(Path.Combine("input", "http_log.txt"), Lines);

        await RunAsync(db, input);
        var again = await new StagingLoader(db).LoadAvroAsync(ConvertToAvro(raw, "later.avro"));

        Assert.True(again.AlreadyLoaded);
        Assert.Equal(500, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
    }

    [Fact]
    public async Task Run_WhenTheRawFileGrowsWhileItRuns_IsKnownByWhatItConvertedAndTheNextRunLoadsOnlyOnce()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenTheRawFileGrowsWhileItRuns_IsKnownByWhatItConvertedAndTheNextRunLoadsOnlyOnce));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var raw = WriteRaw(Path.Combine("input", "http_log.txt"), Lines[..250]);
        // A writer appends the rest after the run looked at the file and before it converts it.
        var grow = new Progress(what =>
        {
            if (what.StartsWith("converting", StringComparison.Ordinal) && new FileInfo(raw).Length < 20_000)
            {
                File.AppendAllText(raw, string.Join("\n", Lines[250..]) + "\n");
            }
        });

        var first = await RunAsync(db, input, grow);
        var second = await RunAsync(db, input);

        Assert.Equal(500, first.StagingRows["http_log"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(raw))),
            await TestDatabase.ScalarAsync<string>(db, "select file_hash from staging.loaded_files where source = 'http_log'"));
        Assert.All(second.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName));
        Assert.Equal(500, second.StagingRows["http_log"]);
    }

    [Fact]
    public async Task Run_WhenALineWouldBeRefusedByTheDatabase_RejectsItAndLoadsTheRestAndTheOtherFiles()
    {
        // The reproduction: 2,000 real lines with a NUL byte at line 1,001, and a file after it in name order.
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenALineWouldBeRefusedByTheDatabase_RejectsItAndLoadsTheRestAndTheOtherFiles));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var real = File.ReadLines(Path.Combine(TestDatabase.SharedData, "perx", "http_log.txt")).Take(2000).ToList();
        real.Insert(1000, "2019-08-27T10:00:00Z GET /a\0b u1");
        WriteRaw(Path.Combine("input", "http_log.txt"), real);
        WriteRaw(Path.Combine("input", "http_log_2.txt"), Lines);

        var summary = await RunAsync(db, input);

        var converted = summary.Converted.Single(c => c.SourceFile == "http_log.txt");
        Assert.Equal((2001L, 2000L, 1L), (converted.Lines, converted.Records, converted.Rejected));
        Assert.Equal(2500, summary.StagingRows["http_log"]);
        Assert.Contains("1001", File.ReadAllText(converted.RejectsPath!).Split(',')[0]);
    }

    [Fact]
    public async Task Run_TwoAtOnceSharingAWorkFolder_BothSucceedAndTheFileLoadsOnce()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_TwoAtOnceSharingAWorkFolder_BothSucceedAndTheFileLoadsOnce));
        var input = Path.Combine(TestDatabase.SharedData, "perx");

        var runs = await Task.WhenAll(Task.Run(() => RunAsync(db, input)), Task.Run(() => RunAsync(db, input)));

        Assert.Equal(16000, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
        Assert.Single(runs.SelectMany(r => r.Loaded), l => l.Source == "http_log" && !l.AlreadyLoaded);
    }

    [Fact]
    public async Task Run_RemovesPartialFilesOfRunsThatEndedAndKeepsThoseOfRunningOnes()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_RemovesPartialFilesOfRunsThatEndedAndKeepsThoseOfRunningOnes));
        var work = Directory.CreateDirectory(Path.Combine(_folder, "work")).FullName;
        using var ended = Process.Start(new ProcessStartInfo("true"))!;
        await ended.WaitForExitAsync();
        var left = Path.Combine(work, $"http_log.{ended.Id}-{Guid.NewGuid():N}.avro.partial");
        var running = Path.Combine(work, $"http_log.{Environment.ProcessId}-{Guid.NewGuid():N}.avro.partial");
        File.WriteAllText(left, "half");
        File.WriteAllText(running, "half");
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        WriteRaw(Path.Combine("input", "http_log.txt"), Lines);

        await RunAsync(db, input);

        Assert.False(File.Exists(left));
        Assert.True(File.Exists(running));
    }

    [Fact]
    public async Task Cli_ConvertTwiceThenLoadBoth_LoadsTheRawFileOnce()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Cli_ConvertTwiceThenLoadBoth_LoadsTheRawFileOnce));
        var raw = WriteRaw("http_log.txt", Lines);
        var a = Path.Combine(_folder, "a.avro");
        var b = Path.Combine(_folder, "b.avro");

        foreach (var output in (string[])[a, b])
        {
            var convert = await Infrastructure.Cli.RunAsync("convert", "--format", "http-log", raw, "-o", output);
            Assert.True(convert.ExitCode == 0, convert.ToString());
        }
        var load = await Infrastructure.Cli.RunAsync("load", a, b, "--database", TestDatabase.UrlFor(db));

        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("b.avro: already loaded", load.Stdout);
        Assert.Equal(500, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
    }

    [Fact]
    public async Task Run_WhenTheRawFileGrewSinceTheLastRun_LoadsOnlyTheNewLinesNumberedOnFromTheOldOnes()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenTheRawFileGrewSinceTheLastRun_LoadsOnlyTheNewLinesNumberedOnFromTheOldOnes));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var raw = WriteRaw(Path.Combine("input", "http_log.txt"), Lines[..250]);

        await RunAsync(db, input);
        File.AppendAllText(raw, string.Join("\n", Lines[250..]) + "\n");
        var grown = await RunAsync(db, input);
        var again = await RunAsync(db, input);

        var converted = Assert.Single(grown.Converted);
        Assert.Equal((250L, 250L, 250L), (converted.AfterLine!.Value, converted.Lines, converted.Records));
        Assert.Equal(500, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
        Assert.Equal(500, await TestDatabase.ScalarAsync<long>(db, "select count(distinct source_line) from staging.http_log where source_line between 1 and 500"));
        Assert.Equal(new FileInfo(raw).Length, await TestDatabase.ScalarAsync<long>(db, "select max(raw_bytes) from staging.loaded_files"));
        Assert.All(again.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName));
        Assert.Equal(500, again.StagingRows["http_log"]);
    }

    [Fact]
    public async Task Run_WhenACsvGrewSinceTheLastRun_LoadsOnlyTheNewRowsWithoutLookingForAHeader()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenACsvGrewSinceTheLastRun_LoadsOnlyTheNewRowsWithoutLookingForAHeader));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var rows = Enumerable.Range(1, 15).Select(i => $"10.0.0.1,{1554767994 + i * 60},P{i},Mozilla/5.0,u{i % 3}").ToArray();
        var csv = WriteRaw(Path.Combine("input", "clickstream.csv"), rows[..10].Prepend("ip,original_timestamp,productId,userAgent,userId"));

        await RunAsync(db, input);
        File.AppendAllText(csv, string.Join("\n", rows[10..]) + "\n");
        var grown = await RunAsync(db, input);

        Assert.Equal((5L, 0L), (Assert.Single(grown.Converted).Records, Assert.Single(grown.Converted).Rejected));
        Assert.Equal("2-16", await TestDatabase.ScalarAsync<string>(db,
            "select min(source_line) || '-' || max(source_line) from staging.clickstream having count(*) = 15"));
    }

    [Fact]
    public async Task Run_WhenTheLoadedPartOfAGrownFileEndedInsideALine_RefusesRatherThanLoadHalfALine()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenTheLoadedPartOfAGrownFileEndedInsideALine_RefusesRatherThanLoadHalfALine));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var raw = Path.Combine(input, "http_log.txt");
        File.WriteAllText(raw, string.Join("\n", Lines[..10]) + "\n2019-08-27T11:00:00Z GET /campaigns/1 u");

        await RunAsync(db, input);
        File.AppendAllText(raw, "1\n" + string.Join("\n", Lines[10..20]) + "\n");
        var error = await Assert.ThrowsAsync<Warehouse.Core.WarehouseException>(() => RunAsync(db, input));

        Assert.Contains("that load ended inside a line", error.Message);
        Assert.Equal(11, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
    }

    [Fact]
    public async Task Run_OfTheGzipFileLogrotateMadeOfALoadedLog_LoadsNothing()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_OfTheGzipFileLogrotateMadeOfALoadedLog_LoadsNothing));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var raw = WriteRaw(Path.Combine("input", "http_log.txt"), Lines);
        await RunAsync(db, input);
        // rotated: the same lines now only as http_log.2.txt.gz
        using (var source = File.OpenRead(raw))
        using (var target = new System.IO.Compression.GZipStream(File.Create(Path.Combine(input, "http_log.2.txt.gz")), System.IO.Compression.CompressionLevel.Fastest))
        {
            source.CopyTo(target);
        }
        File.Delete(raw);

        var rotated = await RunAsync(db, input);

        Assert.All(rotated.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName));
        Assert.Equal(500, rotated.StagingRows["http_log"]);
    }

    [Fact]
    public async Task Run_OfAGzipFileAnEarlierVersionLoadedByItsCompressedBytes_LoadsNothing()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Run_OfAGzipFileAnEarlierVersionLoadedByItsCompressedBytes_LoadsNothing));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var gz = Path.Combine(input, "http_log.txt.gz");
        using (var target = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
        {
            target.Write(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", Lines) + "\n"));
        }
        var oldIdentity = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(gz)));
        await TestDatabase.ExecuteAsync(db, $"insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id) values ('http_log.txt', '{oldIdentity}', 'http_log', 500, now(), 1)");

        var run = await RunAsync(db, input);

        Assert.All(run.Loaded, l => Assert.True(l.AlreadyLoaded, l.FileName));
        Assert.Equal(0, run.StagingRows["http_log"]);
    }

    [Fact]
    public async Task Run_WhenALoadedStartIsShorterThanAConversionInTheWorkFolder_LoadsOnlyTheNewLines()
    {
        // Another database sharing the work folder took the whole file in; this one took its first half.
        var whole = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenALoadedStartIsShorterThanAConversionInTheWorkFolder_LoadsOnlyTheNewLines) + "_whole");
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenALoadedStartIsShorterThanAConversionInTheWorkFolder_LoadsOnlyTheNewLines));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        WriteRaw(Path.Combine("input", "http_log.txt"), Lines);
        await RunAsync(whole, input);
        WriteRaw(Path.Combine("input", "http_log.txt"), Lines[..250]);
        await RunAsync(db, input);
        WriteRaw(Path.Combine("input", "http_log.txt"), Lines);

        var grown = await RunAsync(db, input);

        Assert.False(Assert.Single(grown.Converted).Reused);
        Assert.Equal(500, grown.StagingRows["http_log"]);
        Assert.Equal(500, await TestDatabase.ScalarAsync<long>(db, "select count(distinct source_line) from staging.http_log"));
    }

    [Fact]
    public async Task Run_WhenTheLoadedPartEndedWithoutALineBreakThatCameNext_LoadsTheNewLines()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Run_WhenTheLoadedPartEndedWithoutALineBreakThatCameNext_LoadsTheNewLines));
        var input = Directory.CreateDirectory(Path.Combine(_folder, "input")).FullName;
        var raw = Path.Combine(input, "http_log.txt");
        File.WriteAllText(raw, string.Join("\n", Lines[..10]));

        await RunAsync(db, input);
        File.AppendAllText(raw, "\n" + string.Join("\n", Lines[10..20]) + "\n");
        var grown = await RunAsync(db, input);

        Assert.Equal((10L, 10L), (Assert.Single(grown.Converted).AfterLine!.Value, Assert.Single(grown.Converted).Records));
        Assert.Equal(20, grown.StagingRows["http_log"]);
    }
}

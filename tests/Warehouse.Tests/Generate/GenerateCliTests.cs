namespace Warehouse.Tests.Generate;

/// <summary><c>warehouse generate</c> as a process: a summary line per file, one-line errors.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class GenerateCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("generate-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Generate_PrintsOneLinePerFile_WithLinesAndBytes()
    {
        var result = await Infrastructure.Cli.RunAsync("generate", "--events", "2000", "--seed", "5", "-o", _folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in new[] { "http_log.txt", "campaign_reward_mapping.csv", "webshop_events.jsonl", "device_events.jsonl", "clickstream.csv" })
        {
            var length = new FileInfo(Path.Combine(_folder, file)).Length;
            Assert.Contains($"{file}: ", result.Stdout);
            Assert.Contains($" lines, {length} bytes", result.Stdout);
        }
        Assert.Contains("http_log.txt: 2000 lines", result.Stdout);
        Assert.True(File.Exists(Path.Combine(_folder, "generated.json")));
    }

    [Fact]
    public async Task Generate_WithSourcesCombined_WritesAnAccessLogOfTheRequestedLines_AndNothingElse()
    {
        var result = await Infrastructure.Cli.RunAsync("generate", "--events", "2000", "--sources", "combined", "-o", _folder);

        Assert.True(result.ExitCode == 0, result.ToString());
        var length = new FileInfo(Path.Combine(_folder, "access.log")).Length;
        Assert.Contains($"access.log: 2000 lines, {length} bytes", result.Stdout);
        Assert.Equal(["access.log", "generated.json"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Generate_WithAnUnknownSource_PrintsOneErrorLine_NamingEverySourceItKnows()
    {
        var result = await Infrastructure.Cli.RunAsync("generate", "--events", "10", "--sources", "apache", "-o", _folder);

        AssertOneLineError(result, "unknown source 'apache' in --sources; choose from http-log, webshop-events, device-events, clickstream-csv, combined");
    }

    [Fact]
    public async Task Generate_WithNonPositiveEvents_PrintsOneErrorLine()
    {
        var result = await Infrastructure.Cli.RunAsync("generate", "--events", "0", "-o", _folder);

        AssertOneLineError(result, "--events must be between 1");
    }

    [Fact]
    public async Task Generate_IntoAFolderThatCannotBeCreated_PrintsOneErrorLine()
    {
        var file = Path.Combine(_folder, "a-file");
        await File.WriteAllTextAsync(file, "x");

        var result = await Infrastructure.Cli.RunAsync("generate", "--events", "10", "-o", Path.Combine(file, "out"));

        AssertOneLineError(result, "cannot create the output folder");
    }

    private static void AssertOneLineError(Infrastructure.Cli.Result result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }
}

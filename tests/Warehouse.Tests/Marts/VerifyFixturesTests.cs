using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Marts;

/// <summary><c>warehouse verify --expected DIR</c> with a fixture missing or an unknown file beside the fixtures.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class VerifyFixturesTests : IAsyncLifetime
{
    private readonly string _expected = Directory.CreateTempSubdirectory("expected-").FullName;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateEmptyAsync(nameof(VerifyFixturesTests));
        var sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");
        var run = await Infrastructure.Cli.RunAsync("run", "--database", TestDatabase.UrlFor(_database), "--input", sample);
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var fixture in Directory.GetFiles(Path.Combine(sample, "expected")))
        {
            File.Copy(fixture, Path.Combine(_expected, Path.GetFileName(fixture)));
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_expected, recursive: true);
        return Task.CompletedTask;
    }

    private Task<Infrastructure.Cli.Result> VerifyAsync() => Infrastructure.Cli.RunAsync("verify", "--database", TestDatabase.UrlFor(_database), "--expected", _expected);

    [Fact]
    public async Task Verify_WhenAMartHasNoFixture_FailsNamingTheMissingFile()
    {
        File.Delete(Path.Combine(_expected, "order_metrics.csv"));

        var result = await VerifyAsync();

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains($"FAIL  order_metrics: no expected file {Path.Combine(_expected, "order_metrics.csv")}", result.Stdout);
        Assert.Contains("ok    campaign_performance", result.Stdout);
    }

    [Fact]
    public async Task Verify_WithAnUnknownFileBesideTheFixtures_WarnsNamingItAndStillPasses()
    {
        File.WriteAllText(Path.Combine(_expected, "campaign_performace.csv"), "campaign_id\n");

        var result = await VerifyAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var warning = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"warning: {Path.Combine(_expected, "campaign_performace.csv")} is not a mart fixture", warning);
    }
}

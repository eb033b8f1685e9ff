using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Load;

/// <summary>Repeated campaign/reward pairs are dropped, and the load says how many.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class MappingDuplicatesTests
{
    [Fact]
    public async Task Load_OfTheRealPerxMapping_SaysHowManyDuplicateLinesWereDropped()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Load_OfTheRealPerxMapping_SaysHowManyDuplicateLinesWereDropped));

        var result = await Infrastructure.Cli.RunAsync("load", "--database", TestDatabase.UrlFor(db),
            Path.Combine(TestDatabase.SharedData, "perx", "campaign_reward_mapping.csv"));

        Assert.True(result.ExitCode == 0, result.ToString());
        // 3,043 data lines, 1,761 distinct pairs
        Assert.StartsWith("campaign_reward_mapping.csv: 1,761 pairs loaded into campaign_reward_mapping, 1,282 duplicate lines dropped, in ",
            result.Stdout, StringComparison.Ordinal);
    }
}

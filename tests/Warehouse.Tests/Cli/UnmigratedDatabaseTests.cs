using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Cli;

/// <summary>A command other than run (which migrates first) on a database the migrations never reached says what to do.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class UnmigratedDatabaseTests
{
    public static TheoryData<string[]> Commands => new()
    {
        new[] { "refresh" },
        new[] { "verify", "--expected", Path.Combine(TestDatabase.RepoRoot, "seeds", "sample", "expected") },
        new[] { "export", "campaign_performance" },
        new[] { "profile" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Command_OnADatabaseNeverMigrated_SaysToMigrateInOneLine(string[] command)
    {
        var db = await TestDatabase.CreateEmptyAsync("unmigrated_" + command[0]);

        var result = await Infrastructure.Cli.RunAsync([.. command, "--database", TestDatabase.UrlFor(db)]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("has no warehouse tables|is not migrated", line);
        Assert.Contains("./warehouse migrate", line);
    }
}

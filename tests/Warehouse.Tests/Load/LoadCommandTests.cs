using Warehouse.Core.Database;
using Warehouse.Tests.Infrastructure;
using CliProcess = Warehouse.Tests.Infrastructure.Cli;

namespace Warehouse.Tests.Load;

[Trait("Speed", "slow")] // the CLI as a process
public sealed class LoadCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("load-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Load_WhenDatabaseWasNeverMigrated_SaysToMigrateAndLoadsNothing()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Load_WhenDatabaseWasNeverMigrated_SaysToMigrateAndLoadsNothing));
        var url = TestDatabase.UrlFor(db);
        var file = TestFiles.HttpLogAvro(_folder, "a.avro", "2019-08-27T00:07:05Z GET /campaigns/7 u1");
        var mapping = Path.Combine(_folder, "campaign_reward_mapping.csv");
        File.WriteAllText(mapping, "campaign_id,reward_id\n1,9\n");

        var avro = await CliProcess.RunAsync("load", file, "--database", url);
        var csv = await CliProcess.RunAsync("load", mapping, "--database", url);

        var expected = $"error: database {ConnectionUrl.Describe(db)} has no warehouse tables (staging.loaded_files is missing); " +
            $"run ./warehouse migrate --database {ConnectionUrl.Redact(url)} first";
        Assert.True(avro.ExitCode == 1, avro.ToString());
        Assert.Equal(expected, avro.Stderr.Trim());
        Assert.True(csv.ExitCode == 1, csv.ToString());
        Assert.Equal(expected, csv.Stderr.Trim());
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db, "select count(*) from pg_namespace where nspname = 'staging'"));
    }
}

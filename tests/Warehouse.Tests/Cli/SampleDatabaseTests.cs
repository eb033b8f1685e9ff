using System.Diagnostics;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Cli;

/// <summary>The bundled sample's own database, and <c>warehouse db reset</c>.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class SampleDatabaseTests : IDisposable
{
    // Created with the default mode (not CreateTempSubdirectory's 700): when the tests run as root, initdb and postgres
    // run as the postgres user, which must reach the cluster's folder.
    private readonly string _home = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"sample-db-{Guid.NewGuid():N}")).FullName;
    private readonly string _input = Directory.CreateTempSubdirectory("own-").FullName;
    private static readonly string Sample = Path.Combine(TestDatabase.RepoRoot, "seeds", "sample");

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_input, recursive: true);
    }

    [Fact]
    public async Task Run_OfTheSampleAfterARunOfOwnData_UsesADatabaseOfItsOwnAndStillVerifies()
    {
        // The embedded cluster itself (no --database), in a folder of this test's own.
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home };
        File.WriteAllLines(Path.Combine(_input, "http_log.txt"),
            ["2019-08-27T09:00:00Z GET /campaigns/10 own1", "2019-08-27T09:01:00Z GET /rewards/100 own1", "2019-08-28T09:00:00Z GET /home own2"]);
        try
        {
            var own = await Infrastructure.Cli.RunAsync(["run", "--input", _input], home);
            Assert.True(own.ExitCode == 0, own.ToString());

            var sample = await Infrastructure.Cli.RunAsync(["run"], home);

            Assert.True(sample.ExitCode == 0, sample.ToString());
            Assert.Contains("the bundled sample, into database warehouse_sample", sample.Stdout);
            Assert.Contains("ok    campaign_performance", sample.Stdout);
            var ownUrl = (await Infrastructure.Cli.RunAsync(["db", "url"], home)).Stdout.Trim();
            var sampleUrl = (await Infrastructure.Cli.RunAsync(["db", "url", "--sample"], home)).Stdout.Trim();
            Assert.EndsWith("/warehouse", ownUrl);
            Assert.EndsWith("/warehouse_sample", sampleUrl);
            Assert.Equal(3, await TestDatabase.ScalarAsync<long>(ConnectionString(ownUrl), "select count(*) from staging.http_log"));
            Assert.Equal(16, await TestDatabase.ScalarAsync<long>(ConnectionString(sampleUrl), "select count(*) from staging.http_log"));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await Infrastructure.Cli.RunAsync(["db", "stop"], home);
        }
    }

    [Fact]
    public async Task DbReset_WithYes_DropsTheWarehouseSchemasSoTheNextRunMigratesAndLoadsAnew()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(DbReset_WithYes_DropsTheWarehouseSchemasSoTheNextRunMigratesAndLoadsAnew));
        var url = TestDatabase.UrlFor(db);
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home };
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync(["run", "--database", url, "--input", Sample], environment)).ExitCode);
        await TestDatabase.ExecuteAsync(db, "create schema own_things; create table own_things.t (x int)");

        var reset = await Infrastructure.Cli.RunAsync(["db", "reset", "--yes", "--database", url], environment);

        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from information_schema.schemata where schema_name in ('staging', 'core', 'marts', 'warehouse')"));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db, "select count(*) from information_schema.schemata where schema_name = 'own_things'"));
        var again = await Infrastructure.Cli.RunAsync(["run", "--database", url, "--input", Sample], environment);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(16, await TestDatabase.ScalarAsync<long>(db, "select count(*) from staging.http_log"));
    }

    [Fact]
    public async Task DbReset_WithoutATerminalAndWithoutYes_RefusesWithOneLineAndChangesNothing()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(DbReset_WithoutATerminalAndWithoutYes_RefusesWithOneLineAndChangesNothing));

        var (exitCode, stderr) = await RunWithoutTerminalAsync("db", "reset", "--database", TestDatabase.UrlFor(db));

        Assert.True(exitCode == 1, stderr);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: db reset would empty ", line);
        Assert.EndsWith("and there is no terminal to confirm on: add --yes", line);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(db, "select count(*) from information_schema.schemata where schema_name = 'staging'"));
    }

    private static string ConnectionString(string url) => Core.Database.ConnectionUrl.ToConnectionString(url, "warehouse-tests");

    /// <summary>The warehouse process with its standard input a closed pipe, as under cron or CI.</summary>
    private static async Task<(int ExitCode, string Stderr)> RunWithoutTerminalAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestDatabase.RepoRoot,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "warehouse.dll"), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["WAREHOUSE_ROOT"] = TestDatabase.RepoRoot;
        start.Environment.Remove("WAREHOUSE_DATABASE_URL");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }
}

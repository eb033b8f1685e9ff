using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Cli;

/// <summary><c>db url --read-only</c> prints a URL that logs in as the read-only role and reads what analysts are given.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class ReadOnlyLoginTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"warehouse-readonly-{Guid.NewGuid():N}");

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        new EmbeddedPostgres(Path.Combine(_home, "pg")).Stop();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task DbUrlReadOnly_LogsInAsTheReadOnlyRoleThatReadsMartsAndCoreViewsOnly()
    {
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home };
        var run = await Infrastructure.Cli.RunAsync(["run", "--input", Path.Combine(TestDatabase.RepoRoot, "seeds", "sample")], environment);
        var url = await Infrastructure.Cli.RunAsync(["db", "url", "--read-only"], environment);
        Assert.True(run.ExitCode == 0 && url.ExitCode == 0, $"{run}\n{url}");

        var reader = ConnectionUrl.ToConnectionString(url.Stdout.Trim());
        Assert.Equal("warehouse_api", new NpgsqlConnectionStringBuilder(reader).Username);
        Assert.True(await TestDatabase.ScalarAsync<long>(reader, "select count(*) from marts.campaign_performance") > 0);
        Assert.True(await TestDatabase.ScalarAsync<long>(reader, "select count(*) from core.sessions") > 0);
        var denied = await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ScalarAsync<long>(reader, "select count(*) from staging.http_log"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}

using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Marts;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Lanes;

/// <summary>
/// The tests' two PostgreSQL lanes: which one a run takes, that the server is the one that lane started, that it has
/// the settings the tests rely on, and that the sample gives the same marts in a container as in the embedded cluster.
/// </summary>
[Trait("Speed", "slow")] // the container lane and the CLI as a process
public sealed class TestLaneTests : IDisposable
{
    // Default mode (not CreateTempSubdirectory's 700): as root, the embedded cluster runs as postgres, which must reach it.
    private readonly string _home = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"lanes-{Guid.NewGuid():N}")).FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void ChooseLane_WhenUnset_TakesAContainerWhenDockerAnswersWithTheImageElseTheEmbeddedCluster()
    {
        Assert.Equal(TestLane.Container, TestDatabase.ChooseLane(null, null, () => null));
        Assert.Equal(TestLane.Embedded, TestDatabase.ChooseLane(null, "", () => "no Docker engine found"));
    }

    [Fact]
    public void ChooseLane_WhenAsked_TakesThatLaneAndAUrlWinsOverBoth()
    {
        Assert.Equal(TestLane.Embedded, TestDatabase.ChooseLane(null, "embedded", () => null));
        Assert.Equal(TestLane.Container, TestDatabase.ChooseLane(null, "container", () => null));
        Assert.Equal(TestLane.Url, TestDatabase.ChooseLane("postgresql://u@db/x", "container", () => "no Docker engine found"));
    }

    [Fact]
    public void ChooseLane_WhenAContainerIsAskedButCannotRun_FailsSayingWhy()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TestDatabase.ChooseLane(null, "container", () => "no Docker engine found"));

        Assert.Equal("WAREHOUSE_TEST_DATABASE=container, but no Docker engine found", e.Message);
    }

    [Fact]
    public void ChooseLane_WhenTheValueIsUnknown_FailsNamingIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TestDatabase.ChooseLane(null, "docker", () => null));

        Assert.Equal("WAREHOUSE_TEST_DATABASE is 'docker'; expected embedded or container", e.Message);
    }

    [Fact]
    public async Task Server_IsTheOneTheChosenLaneStarted()
    {
        var (dataDirectory, address) = await ServerIdentityAsync(TestDatabase.For("postgres"));

        switch (TestDatabase.Lane)
        {
            case TestLane.Container:
                // PGDATA of the image, and the container's own address behind the port Docker publishes on loopback
                Assert.Equal("/var/lib/postgresql/data", dataDirectory);
                Assert.NotEqual("127.0.0.1", address);
                break;
            case TestLane.Embedded:
                Assert.Equal(Path.Combine(Path.GetTempPath(), $"warehouse-tests-{Environment.ProcessId}", "data"), dataDirectory);
                Assert.Equal("127.0.0.1", address);
                break;
            default:
                Assert.False(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAREHOUSE_TEST_DATABASE_URL")));
                break;
        }
    }

    [Fact]
    public async Task Server_HasTheSettingsTheTestsRelyOn()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.For("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select current_setting('max_connections'), current_setting('fsync'), current_setting('TimeZone'),
                   current_setting('lc_collate'), current_setting('server_encoding'), current_setting('work_mem'),
                   current_setting('password_encryption'), (select rolsuper from pg_roles where rolname = current_user)
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(["400", "off", "UTC", "C", "UTF8", "256MB", "scram-sha-256"], Enumerable.Range(0, 7).Select(reader.GetString));
        Assert.True(reader.GetBoolean(7), "the tests log in as a superuser");
    }

    [Fact]
    public async Task Server_LetsNoOneButTheSuperuserIntoItsOwnDatabases()
    {
        var grantedToPublic = await TestDatabase.ScalarAsync<long>(TestDatabase.For("postgres"), """
            select count(*)
            from pg_database, aclexplode(coalesce(datacl, acldefault('d', datdba))) as acl
            where datname in ('postgres', 'template1') and acl.grantee = 0 and acl.privilege_type = 'CONNECT'
            """);

        Assert.Equal(0, grantedToPublic);
    }

    [ContainerLaneFact]
    public async Task Sample_GivesTheSameMartsInAContainerAsInTheEmbeddedCluster()
    {
        var home = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _home };
        var (container, server) = await PostgresContainerLane.StartAsync();
        await using (container)
        {
            try
            {
                await TestDatabase.ExecuteAsync(server, "create database parity");
                var inContainer = new NpgsqlConnectionStringBuilder(server) { Database = "parity" }.ConnectionString;

                // ./warehouse run, as a user runs it: its own embedded cluster; and the same against the container
                var embeddedRun = await Infrastructure.Cli.RunAsync(["run"], home);
                var containerRun = await Infrastructure.Cli.RunAsync(["run", "--database", TestDatabase.UrlFor(inContainer)], home);

                Assert.True(embeddedRun.ExitCode == 0, embeddedRun.ToString());
                Assert.True(containerRun.ExitCode == 0, containerRun.ToString());
                var inEmbedded = ConnectionUrl.ToConnectionString((await Infrastructure.Cli.RunAsync(["db", "url", "--sample"], home)).Stdout.Trim());
                Assert.NotEqual(await ServerIdentityAsync(inEmbedded), await ServerIdentityAsync(inContainer));
                foreach (var mart in MartCatalog.Names)
                {
                    Assert.Equal(await MartLinesAsync(inEmbedded, mart), await MartLinesAsync(inContainer, mart));
                }
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await Infrastructure.Cli.RunAsync(["db", "stop"], home);
            }
        }
    }

    private static async Task<(string DataDirectory, string Address)> ServerIdentityAsync(string connectionString) =>
        (await TestDatabase.ScalarAsync<string>(connectionString, "show data_directory"),
         await TestDatabase.ScalarAsync<string>(connectionString, "select host(inet_server_addr())"));

    private static async Task<List<string>> MartLinesAsync(string connectionString, string mart)
    {
        var table = await new MartReader(connectionString).ReadAsync(mart);
        Assert.True(table.Rows.Count > 0 || Remote.MartSnapshot.AccessLogMarts.Contains(mart), $"marts.{mart} is empty");
        return [.. table.Rows.Select(row => string.Join(" | ", row.Select(MartValues.Format))).Order(StringComparer.Ordinal)];
    }
}

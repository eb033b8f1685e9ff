using Npgsql;
using Warehouse.Api;
using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>The warehouse_api role (migrations/V0100__api_reader_role.sql) reads the marts and can change nothing.</summary>
[Trait("Speed", "slow")] // scale: the sample loaded and refreshed into a database for each of its 38 cases
public sealed class ApiRoleTests : IAsyncLifetime
{
    private string _owner = "";
    private string _reader = "";

    public async Task InitializeAsync()
    {
        _owner = await ApiTestData.CreateLoadedDatabaseAsync("apirole");
        _reader = ApiTestData.ApiConnectionString(_owner);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("campaign_performance")]
    [InlineData("order_metrics")]
    [InlineData("sessions_by_key")]
    [InlineData("daily_sessions")]
    [InlineData("daily_sessions_by_key")]
    [InlineData("order_journeys")]
    [InlineData("order_metrics_daily")]
    public async Task Role_CanReadEveryMart(string mart)
    {
        var asReader = await TestDatabase.ScalarAsync<long>(_reader, $"select count(*) from marts.{mart}");
        var asOwner = await TestDatabase.ScalarAsync<long>(_owner, $"select count(*) from marts.{mart}");

        Assert.True(asOwner > 0);
        Assert.Equal(asOwner, asReader);
    }

    [Theory]
    [InlineData("insert into staging.http_log values (now(), 'GET', '/', 'x', 'f', 1)")]
    [InlineData("update core.session_gap_settings set gap_seconds = 1")]
    [InlineData("delete from staging.campaign_reward_mapping")]
    [InlineData("truncate staging.webshop_events")]
    [InlineData("create table marts.mine (id int)")]
    [InlineData("create table public.mine (id int)")]
    [InlineData("create view marts.mine as select 1 as one")]
    [InlineData("drop view marts.order_metrics")]
    [InlineData("create schema mine")]
    [InlineData("delete from warehouse.schema_history")]
    [InlineData("select count(*) from staging.http_log")]
    [InlineData("select count(*) from core.fct_sessions")]
    [InlineData("select count(*) from core.fct_sessionized_events")]
    [InlineData("select count(*) from core.refresh_state")]
    [InlineData("create table core.mine (id int)")]
    [InlineData("create table staging.mine (id int)")]
    [InlineData("create table warehouse.mine (id int)")]
    [InlineData("drop view core.sessions")]
    [InlineData("insert into core.fct_sessions select * from core.fct_sessions")]
    public async Task Role_CannotWriteOrReadBelowTheMartsAndTheDocumentedCoreViews(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ExecuteAsync(_reader, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    /// <summary>The read-only login of analysts and BI tools is this role: the documented core views are theirs too.</summary>
    [Theory]
    [InlineData("core.events")]
    [InlineData("core.sessionized_events")]
    [InlineData("core.sessions")]
    public async Task Role_CanReadTheDocumentedCoreViews(string view)
    {
        var asReader = await TestDatabase.ScalarAsync<long>(_reader, $"select count(*) from {view}");

        Assert.True(asReader > 0);
        Assert.Equal(await TestDatabase.ScalarAsync<long>(_owner, $"select count(*) from {view}"), asReader);
    }

    [Theory]
    [InlineData("create temporary table mine (id int)")]
    [InlineData("select lo_create(0)")]
    [InlineData("select lo_creat(-1)")]
    [InlineData("select lo_from_bytea(0, 'x')")]
    public async Task Role_CannotCreateTemporaryTablesOrLargeObjects(string sql)
    {
        await using var connection = new NpgsqlConnection(_reader);
        await connection.OpenAsync(); // it may connect and read: the refusal below is about the statement
        await using var read = new NpgsqlCommand("select count(*) from marts.order_metrics", connection);
        await read.ExecuteScalarAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Role_CannotConnectToTheClustersOtherDatabases()
    {
        var other = new NpgsqlConnectionStringBuilder(_reader) { Database = "postgres" }.ConnectionString;

        var error = await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ExecuteAsync(other, "select 1"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Migrate_ByAUserWhoIsNeitherOwnerNorSuperuser_WarnsWhatTheOwnerMustRun()
    {
        // such a user cannot take CONNECT and TEMPORARY from PUBLIC, nor EXECUTE on lo_create: the migration says so
        // instead of pretending the role was restricted
        var database = await TestDatabase.CreateEmptyAsync("apirolenotowner");
        var name = new NpgsqlConnectionStringBuilder(database).Database!;
        var migrator = $"m_{Guid.NewGuid():N}";
        await TestDatabase.ExecuteAsync(_owner, $"create role {migrator} login createrole password 'pw'");
        try
        {
            await TestDatabase.ExecuteAsync(_owner, $"grant create on database {name} to {migrator}");
            var asMigrator = new NpgsqlConnectionStringBuilder(database) { Username = migrator, Password = "pw", Pooling = false }.ConnectionString;
            var log = new StringWriter();

            await new MigrationRunner(asMigrator, new MigrationOptions { Directory = TestDatabase.MigrationsDirectory }).MigrateAsync(log);

            Assert.Contains($"warning: V0110__api_role_least_privilege.sql: warehouse_api can still connect to and create temporary tables in database {name}", log.ToString());
            Assert.Contains("warning: V0110__api_role_least_privilege.sql: warehouse_api can still create large objects", log.ToString());
        }
        finally
        {
            await TestDatabase.ExecuteAsync(TestDatabase.For(name), $"drop owned by {migrator}");
            await TestDatabase.ExecuteAsync(_owner, $"drop owned by {migrator}; drop role {migrator}");
        }
    }

    [Fact]
    public async Task Owner_StillCreatesTemporaryTables()
    {
        // the loader and the refresh create temporary tables as the migrating user
        await TestDatabase.ExecuteAsync(_owner, "create temporary table mine (id int)");
    }

    [Fact]
    public async Task Role_CannotInsertIntoAMartView()
    {
        // PostgreSQL refuses before checking privileges here (the view is not updatable): refused either way
        await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ExecuteAsync(_reader, "insert into marts.order_metrics values (1, 1)"));
    }

    [Fact]
    public async Task Role_IsPlainLoginWithoutPowers()
    {
        var flags = await TestDatabase.ScalarAsync<string>(_owner,
            "select concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) from pg_roles where rolname = 'warehouse_api'");

        Assert.Equal("t,f,f,f,f,f", flags);
    }

    [Fact]
    public async Task Migration_InASecondDatabaseOfTheCluster_FindsTheRoleAndGrantsAgain()
    {
        // the template database already created the cluster-wide role; a fresh database must migrate all the same
        var second = await TestDatabase.CreateEmptyAsync("apirolesecondcluster");

        await new MigrationRunner(second, new MigrationOptions { Directory = TestDatabase.MigrationsDirectory }).MigrateAsync(TextWriter.Null);

        var reader = ApiTestData.ApiConnectionString(second);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(reader, "select count(*) from marts.order_metrics"));
    }

    [Fact]
    public async Task SetPassword_QuotesTheValueAndTheRoleThenAuthenticatesWithIt()
    {
        // the role is cluster-wide and other classes log in with ApiTestData.ApiPassword at the same time: set that one
        // (quotes, a semicolon, a comment), never another
        await ApiRole.SetPasswordAsync(_owner, ApiTestData.ApiPassword);

        var stored = await TestDatabase.ScalarAsync<string>(_owner, "select rolpassword from pg_authid where rolname = 'warehouse_api'");
        Assert.StartsWith("SCRAM-SHA-256$", stored);
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(ApiRole.ConnectionString(_owner, ApiTestData.ApiPassword), "select count(*) from marts.order_metrics"));
        var wrong = await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ScalarAsync<long>(ApiRole.ConnectionString(_owner, "not it"), "select 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, wrong.SqlState);
    }

    [Fact]
    public void ConnectionString_SwapsTheUserAndKeepsTheDatabase()
    {
        var owner = new NpgsqlConnectionStringBuilder(_owner);
        var reader = new NpgsqlConnectionStringBuilder(ApiRole.ConnectionString(_owner, "pw"));

        Assert.Equal("warehouse_api", reader.Username);
        Assert.Equal("pw", reader.Password);
        Assert.Equal((owner.Host, owner.Port, owner.Database), (reader.Host, reader.Port, reader.Database));
    }
}

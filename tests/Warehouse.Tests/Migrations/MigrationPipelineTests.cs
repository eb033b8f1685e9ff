using Npgsql;
using Warehouse.Core;
using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Migrations;

/// <summary>
/// What a deployment pipeline expects of <c>warehouse migrate</c> beyond applying scripts: a baseline for a database
/// that holds the objects but no history, new scripts numbered below applied ones refused, and the migrating role's
/// privileges checked before anything runs. Run through the real CLI where the pipeline would call it.
/// </summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class MigrationPipelineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Script(string name, string text) => File.WriteAllText(Path.Combine(_folder, name), text);

    private Task<Infrastructure.Cli.Result> MigrateAsync(string db, params string[] extra) =>
        Infrastructure.Cli.RunAsync(["migrate", "--database", TestDatabase.UrlFor(db), "--migrations", _folder, .. extra]);

    private static void AssertOneLineError(Infrastructure.Cli.Result result, params string[] expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.All(expected, e => Assert.Contains(e, lines[0]));
    }

    // Names are schema-qualified: the test server's user is called warehouse, so "$user" in the search path would
    // send unqualified ones to the history's schema once it exists.
    private void ThreeScripts()
    {
        Script("V0001__create_items.sql", "create table public.items (id int primary key);");
        Script("V0002__seed_items.sql", "insert into public.items values (1);");
        Script("V0003__create_notes.sql", "create table public.notes (id int primary key);");
    }

    [Fact]
    public async Task Migrate_WithBaseline_RecordsScriptsUpToTheVersionWithoutRunningThemThenAppliesTheRest()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithBaseline_RecordsScriptsUpToTheVersionWithoutRunningThemThenAppliesTheRest));
        ThreeScripts();
        // the objects of V0001 and V0002 exist, made by hand before the project used migrations
        await TestDatabase.ExecuteAsync(db, "create table public.items (id int primary key); insert into public.items values (7);");
        var plain = await MigrateAsync(db);
        AssertOneLineError(plain, "V0001__create_items.sql", "relation \"items\" already exists");

        var result = await MigrateAsync(db, "--baseline", "0002");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("baseline: recorded 2 script(s) up to V0002__seed_items.sql as applied without running them", result.Stdout);
        Assert.Equal(7, await TestDatabase.ScalarAsync<int>(db, "select id from public.items")); // V0002 did not run
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from public.notes")); // V0003 did
        Assert.Equal(3L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from warehouse.schema_history where success"));
        Assert.All(await new MigrationRunner(db, new MigrationOptions { Directory = _folder }).InfoAsync(), s => Assert.Equal(MigrationState.Applied, s.State));
    }

    [Fact]
    public async Task Migrate_WithBaselineWhenHistoryExists_RefusesAndChangesNothing()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithBaselineWhenHistoryExists_RefusesAndChangesNothing));
        Script("V0001__create_items.sql", "create table public.items (id int primary key);");
        Assert.Equal(0, (await MigrateAsync(db)).ExitCode);
        Script("V0002__seed_items.sql", "insert into public.items values (1);");

        var result = await MigrateAsync(db, "--baseline", "2");

        AssertOneLineError(result, "--baseline 2: the database already has a migration history");
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from warehouse.schema_history"));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from public.items"));
    }

    [Fact]
    public async Task Migrate_WithBaselineThatIsNotAVersion_FailsWithOneLine()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithBaselineThatIsNotAVersion_FailsWithOneLine));
        ThreeScripts();

        AssertOneLineError(await MigrateAsync(db, "--baseline", "latest"), "--baseline latest: not a version");
        AssertOneLineError(await MigrateAsync(db, "--baseline", "0000"), "no versioned script is numbered at or below it");
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from pg_tables where schemaname in ('warehouse', 'public')"));
    }

    [Fact]
    public async Task Migrate_WhenANewScriptIsNumberedBelowTheNewestApplied_RefusesNamingItUnlessOutOfOrder()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WhenANewScriptIsNumberedBelowTheNewestApplied_RefusesNamingItUnlessOutOfOrder));
        Script("V0001__create_items.sql", "create table public.items (id int primary key);");
        Script("V0003__create_notes.sql", "create table public.notes (id int primary key);");
        Assert.Equal(0, (await MigrateAsync(db)).ExitCode);
        Script("V0002__seed_items.sql", "insert into public.items values (1);"); // e.g. merged from a branch after V0003 shipped

        var refused = await MigrateAsync(db);

        AssertOneLineError(refused, "V0002__seed_items.sql is new but numbered below V0003__create_notes.sql", "--out-of-order");
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from public.items"));

        var accepted = await MigrateAsync(db, "--out-of-order");

        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from public.items"));
    }

    [Fact]
    public async Task Migrate_AsARoleWithoutCreateRole_NamesWhatIsMissingAndAppliesNothing()
    {
        // The role may create schemas and tables, so V0001-V0064 would succeed, but V0100 manages the API's role.
        var db = await TestDatabase.CreateEmptyAsync("pipelinenocreaterole");
        var name = new NpgsqlConnectionStringBuilder(db).Database!;
        await using var migrator = await Migrator.CreateAsync(db, $"grant create on database {name} to {{0}}");

        var error = await Assert.ThrowsAsync<WarehouseException>(() =>
            new MigrationRunner(migrator.ConnectionString, new MigrationOptions { Directory = TestDatabase.MigrationsDirectory }).MigrateAsync(TextWriter.Null));

        Assert.Contains($"the role {migrator.Name} lacks privileges the pending scripts need, so nothing was applied", error.Message);
        Assert.Contains("CREATEROLE (V0100__api_reader_role.sql creates or alters a role)", error.Message);
        Assert.DoesNotContain("CREATE on database", error.Message);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from pg_namespace where nspname in ('staging', 'core', 'marts', 'warehouse')"));
    }

    [Fact]
    public async Task Migrate_AsARoleWithoutCreateOnTheDatabase_NamesItAndAppliesNothing()
    {
        var db = await TestDatabase.CreateEmptyAsync("pipelinenocreate");
        var name = new NpgsqlConnectionStringBuilder(db).Database!;
        await using var migrator = await Migrator.CreateAsync(db, "");
        Script("V0001__create_items.sql", "create table public.items (id int primary key);");
        Script("V0002__schema.sql", "create schema if not exists extra;");

        var result = await Infrastructure.Cli.RunAsync("migrate", "--database", TestDatabase.UrlFor(migrator.ConnectionString), "--migrations", _folder);

        AssertOneLineError(result, $"CREATE on database {name} (for the migration history)", "CREATE on schema public (V0001__create_items.sql creates objects in it)");
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(db, "select count(*) from pg_tables where tablename = 'items'"));
    }

    [Fact]
    public async Task CreateSchemaIfNotExists_OnAnExistingSchema_StillNeedsCreateOnTheDatabase()
    {
        // why the privilege check asks for CREATE on the database for every "create schema", existing or not
        var db = await TestDatabase.CreateEmptyAsync("pipelineschemaexists");
        await TestDatabase.ExecuteAsync(db, "create schema extra");
        await using var migrator = await Migrator.CreateAsync(db, "");

        var error = await Assert.ThrowsAsync<PostgresException>(() => TestDatabase.ExecuteAsync(migrator.ConnectionString, "create schema if not exists extra"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    /// <summary>A login role of its own for one test (the test cluster asks every login for a password).</summary>
    private sealed class Migrator : IAsyncDisposable
    {
        private readonly string _db;

        private Migrator(string db, string name)
        {
            _db = db;
            Name = name;
            ConnectionString = new NpgsqlConnectionStringBuilder(db) { Username = name, Password = "pw", Pooling = false }.ConnectionString;
        }

        public string Name { get; }
        public string ConnectionString { get; }

        /// <param name="grant">SQL run as the test server's superuser, {0} standing for the role</param>
        public static async Task<Migrator> CreateAsync(string db, string grant)
        {
            var migrator = new Migrator(db, $"m_{Guid.NewGuid():N}");
            await TestDatabase.ExecuteAsync(db, $"create role {migrator.Name} login password 'pw'");
            // usage only: since PostgreSQL 15, PUBLIC has no CREATE on schema public
            await TestDatabase.ExecuteAsync(db, $"grant usage on schema public to {migrator.Name}");
            if (grant.Length > 0)
            {
                await TestDatabase.ExecuteAsync(db, string.Format(System.Globalization.CultureInfo.InvariantCulture, grant, migrator.Name));
            }
            return migrator;
        }

        public async ValueTask DisposeAsync()
        {
            await TestDatabase.ExecuteAsync(_db, $"drop owned by {Name}; drop role {Name}");
        }
    }
}

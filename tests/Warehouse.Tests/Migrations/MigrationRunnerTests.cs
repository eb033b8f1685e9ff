using Npgsql;
using Warehouse.Core;
using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Migrations;

/// <summary>The migration runner against a real PostgreSQL, each test with its own database and scripts folder.</summary>
public sealed class MigrationRunnerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("migrations-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Script(string name, string text) => File.WriteAllText(Path.Combine(_folder, name), text);

    private MigrationRunner Runner(string db, bool allowChanged = false) =>
        new(db, new MigrationOptions { Directory = _folder, AllowChanged = allowChanged });

    private static Task<long> CountAsync(string db, string sql) => TestDatabase.ScalarAsync<long>(db, sql);

    private void ThreeScripts()
    {
        Script("V0001__create_items.sql", "create table items (id int primary key, name varchar(20));");
        Script("V0002__seed_items.sql", "insert into items values (1, 'one'); insert into items values (2, 'two');");
        Script("R__items_view.sql", "drop view if exists items_view; create view items_view as select id from items;");
    }

    [Fact]
    public async Task Migrate_OnFreshDatabase_AppliesEveryScriptInOrderAndRecordsHistory()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_OnFreshDatabase_AppliesEveryScriptInOrderAndRecordsHistory));
        ThreeScripts();

        var applied = await Runner(db).MigrateAsync(TextWriter.Null);

        Assert.Equal(["V0001__create_items.sql", "V0002__seed_items.sql", "R__items_view.sql"], applied.Select(s => s.FileName));
        Assert.Equal(2, await CountAsync(db, "select count(*) from items_view"));
        Assert.Equal(3, await CountAsync(db, "select count(*) from warehouse.schema_history where success"));
        Assert.Equal(1, await CountAsync(db, "select count(*) from warehouse.schema_history where version = '0002' and execution_ms >= 0 and installed_by = current_user"));
    }

    [Fact]
    public async Task Migrate_SecondRun_IsANoOp()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_SecondRun_IsANoOp));
        ThreeScripts();
        await Runner(db).MigrateAsync(TextWriter.Null);

        var output = new StringWriter();
        var second = await Runner(db).MigrateAsync(output);

        Assert.Empty(second);
        Assert.Contains("up to date", output.ToString());
        Assert.Equal(3, await CountAsync(db, "select count(*) from warehouse.schema_history"));
        Assert.Equal(2, await CountAsync(db, "select count(*) from items"));
    }

    [Fact]
    public async Task Migrate_WhenVersionedScriptWasEdited_RefusesWithFileName()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WhenVersionedScriptWasEdited_RefusesWithFileName));
        ThreeScripts();
        await Runner(db).MigrateAsync(TextWriter.Null);
        Script("V0002__seed_items.sql", "insert into items values (3, 'three');");
        Script("V0003__more.sql", "insert into items values (4, 'four');");

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Runner(db).MigrateAsync(TextWriter.Null));

        Assert.Contains("V0002__seed_items.sql was changed after it was applied", error.Message);
        Assert.Equal(2, await CountAsync(db, "select count(*) from items")); // nothing else ran either
        var statuses = await Runner(db).InfoAsync();
        Assert.Equal(MigrationState.Changed, statuses.Single(s => s.FileName == "V0002__seed_items.sql").State);
    }

    [Fact]
    public async Task Migrate_WithAllowChanged_AcceptsTheEditWithoutRerunningIt()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithAllowChanged_AcceptsTheEditWithoutRerunningIt));
        ThreeScripts();
        await Runner(db).MigrateAsync(TextWriter.Null);
        Script("V0002__seed_items.sql", "insert into items values (3, 'three');");

        await Runner(db, allowChanged: true).MigrateAsync(TextWriter.Null);

        Assert.Equal(2, await CountAsync(db, "select count(*) from items"));
        Assert.All(await Runner(db).InfoAsync(), s => Assert.Equal(MigrationState.Applied, s.State));
    }

    [Fact]
    public async Task Migrate_WhenRepeatableChanged_ReappliesIt()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WhenRepeatableChanged_ReappliesIt));
        ThreeScripts();
        await Runner(db).MigrateAsync(TextWriter.Null);
        Script("R__items_view.sql", "drop view if exists items_view; create view items_view as select id, name from items;");

        Assert.Equal(MigrationState.Outdated, (await Runner(db).InfoAsync()).Single(s => s.FileName == "R__items_view.sql").State);
        var applied = await Runner(db).MigrateAsync(TextWriter.Null);

        Assert.Equal(["R__items_view.sql"], applied.Select(s => s.FileName));
        Assert.Equal(2, await CountAsync(db, "select count(*) from information_schema.columns where table_name = 'items_view'"));
    }

    [Fact]
    public async Task Migrate_WhenRepeatableChanged_AlsoReappliesLaterRepeatablesThatDependOnIt()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WhenRepeatableChanged_AlsoReappliesLaterRepeatablesThatDependOnIt));
        ThreeScripts();
        Script("R__jtems_on_view.sql", "create or replace view items_on_view as select id from items_view;");
        await Runner(db).MigrateAsync(TextWriter.Null);
        // The cascade drops the dependent view; the runner must bring it back although its own script is unchanged.
        Script("R__items_view.sql", "drop view if exists items_view cascade; create view items_view as select id, name from items;");

        await Runner(db).MigrateAsync(TextWriter.Null);

        Assert.Equal(2, await CountAsync(db, "select count(*) from items_on_view"));
    }

    [Fact]
    public async Task Migrate_WhenScriptFails_RollsBackCompletelyAndNamesFileAndLine()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WhenScriptFails_RollsBackCompletelyAndNamesFileAndLine));
        Script("V0001__ok.sql", "create table a (x int);");
        Script("V0002__broken.sql", "create table b (x int);\ninsert into a values (1);\n\nselct 1;\n");

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Runner(db).MigrateAsync(TextWriter.Null));

        Assert.StartsWith("V0002__broken.sql:4: syntax error at or near \"selct\"", error.Message);
        Assert.Equal(0, await CountAsync(db, "select count(*) from a"));
        Assert.Equal(0, await CountAsync(db, "select count(*) from pg_tables where tablename = 'b'"));
        var statuses = await Runner(db).InfoAsync();
        Assert.Equal(MigrationState.Applied, statuses[0].State);
        Assert.Equal(MigrationState.Failed, statuses[1].State);

        // Fixing the script lets the next run apply it, and the failure disappears from the history.
        Script("V0002__broken.sql", "create table b (x int);\ninsert into a values (1);\n");
        await Runner(db).MigrateAsync(TextWriter.Null);
        Assert.All(await Runner(db).InfoAsync(), s => Assert.Equal(MigrationState.Applied, s.State));
    }

    [Fact]
    public async Task Migrate_TwoConcurrentRunners_ApplyEachScriptExactlyOnce()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_TwoConcurrentRunners_ApplyEachScriptExactlyOnce));
        Script("V0001__log.sql", "create table runs (at timestamptz); ");
        // pg_sleep makes the two runners overlap; without the lock both would insert.
        Script("V0002__slow.sql", "select pg_sleep(0.5); insert into runs values (clock_timestamp());");
        Script("R__view.sql", "create or replace view runs_view as select * from runs;");

        await Task.WhenAll(Runner(db).MigrateAsync(TextWriter.Null), Runner(db).MigrateAsync(TextWriter.Null));

        Assert.Equal(1, await CountAsync(db, "select count(*) from runs"));
        Assert.Equal(3, await CountAsync(db, "select count(*) from warehouse.schema_history"));
    }

    [Fact]
    public async Task Migrate_DollarQuotedFunctionBody_IsCreatedWhole()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_DollarQuotedFunctionBody_IsCreatedWhole));
        Script("V0001__function.sql", """
            create function add_one(x int) returns int language plpgsql as $fn$
            declare
                y int;
            begin
                y := x + 1; -- a semicolon inside the body must not split it
                return y;
            end;
            $fn$;
            """);

        await Runner(db).MigrateAsync(TextWriter.Null);

        Assert.Equal(42, await TestDatabase.ScalarAsync<int>(db, "select add_one(41)"));
    }

    [Fact]
    public async Task Migrate_DryRun_PrintsTheScriptsAndChangesNothing()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_DryRun_PrintsTheScriptsAndChangesNothing));
        ThreeScripts();
        var output = new StringWriter();

        var planned = await Runner(db).MigrateAsync(output, dryRun: true);

        Assert.Equal(3, planned.Count);
        Assert.Contains("create table items", output.ToString());
        Assert.Contains("-- V0001__create_items.sql", output.ToString());
        Assert.Equal(0, await CountAsync(db, "select count(*) from pg_tables where schemaname in ('warehouse', 'public')"));
    }

    [Fact]
    public async Task Info_ListsMissingScriptsThatWereAppliedButAreGone()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Info_ListsMissingScriptsThatWereAppliedButAreGone));
        ThreeScripts();
        await Runner(db).MigrateAsync(TextWriter.Null);
        File.Delete(Path.Combine(_folder, "V0002__seed_items.sql"));

        var statuses = await Runner(db).InfoAsync();

        Assert.Contains(statuses, s => s.State == MigrationState.Missing && s.FileName == "V0002__seed_items.sql");
    }

    [Fact]
    public void Load_WithTargetVariant_ChoosesTheVariantForThatTargetOnly()
    {
        Script("V0001__tables.sql", "create table t (x varchar(10));");
        Script("V0001__tables.redshift.sql", "create table t (x varchar(10)) diststyle even;");

        Assert.Equal("V0001__tables.sql", MigrationSource.Load(_folder, "postgres").Single().FileName);
        Assert.Equal("V0001__tables.redshift.sql", MigrationSource.Load(_folder, "redshift").Single().FileName);
    }

    [Fact]
    public void Load_WhenTwoScriptsShareAVersion_FailsNamingBoth()
    {
        Script("V1__a.sql", "select 1;");
        Script("V0001__b.sql", "select 1;");

        var error = Assert.Throws<WarehouseException>(() => MigrationSource.Load(_folder));
        Assert.Contains("V1__a.sql", error.Message);
        Assert.Contains("V0001__b.sql", error.Message);
    }

    [Fact]
    public void Load_OrdersARepeatableAfterTheRepeatablesWhoseObjectsItReads()
    {
        Script("R__a_report.sql", "create view core.report as select x from core.base_view;");
        Script("R__b_base.sql", "-- named in a comment, core.report is not read\ncreate view core.base_view as select 'core.report' as x;");
        Script("R__c_other.sql", "create view core.other as select 1 as y;");

        Assert.Equal(["R__b_base.sql", "R__a_report.sql", "R__c_other.sql"], MigrationSource.Load(_folder).Select(s => s.FileName));
    }

    [Fact]
    public void Load_WhenRepeatablesReadEachOtherInACycle_FailsNamingThem()
    {
        Script("R__a.sql", "create view core.a as select x from core.b;");
        Script("R__b.sql", "create view core.b as select x from core.a;");

        var error = Assert.Throws<WarehouseException>(() => MigrationSource.Load(_folder));
        Assert.Contains("cycle", error.Message);
        Assert.Contains("R__a.sql, R__b.sql", error.Message);
    }

    [Fact]
    public void Load_WithLayerFolders_FindsTheScriptsAndOrdersIndependentOnesByLayer()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "core"));
        Directory.CreateDirectory(Path.Combine(_folder, "marts"));
        Script("marts/R__10_mart.sql", "create view marts.m as select 1 as x;");
        Script("core/R__20_model.sql", "create view core.c as select 1 as x;");
        Script("core/V0001__tables.sql", "create table core.t (x int);");

        var scripts = MigrationSource.Load(_folder);

        Assert.Equal(["V0001__tables.sql", "R__20_model.sql", "R__10_mart.sql"], scripts.Select(s => s.FileName));
        Assert.Equal(["core", "core", "marts"], scripts.Select(s => s.Layer));
    }

    [Fact]
    public void Load_WhenTwoFoldersHoldTheSameFileName_FailsNamingBoth()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "core"));
        Directory.CreateDirectory(Path.Combine(_folder, "marts"));
        Script("core/R__view.sql", "select 1;");
        Script("marts/R__view.sql", "select 1;");

        var error = Assert.Throws<WarehouseException>(() => MigrationSource.Load(_folder));
        Assert.Contains("core/R__view.sql, marts/R__view.sql", error.Message);
    }

    [Fact]
    public async Task Migrate_AfterScriptsMoveIntoLayerFolders_RunsNothingAgain()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_AfterScriptsMoveIntoLayerFolders_RunsNothingAgain));
        ThreeScripts();
        Script("R__jtems_on_view.sql", "create or replace view items_on_view as select id from items_view;");
        await Runner(db).MigrateAsync(TextWriter.Null);
        Directory.CreateDirectory(Path.Combine(_folder, "core"));
        Directory.CreateDirectory(Path.Combine(_folder, "marts"));
        foreach (var name in new[] { "V0001__create_items.sql", "V0002__seed_items.sql", "R__items_view.sql" })
        {
            File.Move(Path.Combine(_folder, name), Path.Combine(_folder, "core", name));
        }
        File.Move(Path.Combine(_folder, "R__jtems_on_view.sql"), Path.Combine(_folder, "marts", "R__jtems_on_view.sql"));

        var output = new StringWriter();
        var applied = await Runner(db).MigrateAsync(output);

        Assert.Empty(applied);
        Assert.Contains("up to date", output.ToString());
        Assert.All(await Runner(db).InfoAsync(), s => Assert.Equal(MigrationState.Applied, s.State));
    }

    [Fact]
    public async Task Migrate_WithUnreachableDatabase_FailsWithOneClearLine()
    {
        ThreeScripts();
        var runner = new MigrationRunner("Host=127.0.0.1;Port=1;Username=x;Database=y;Timeout=3", new MigrationOptions { Directory = _folder });

        var error = await Assert.ThrowsAsync<WarehouseException>(() => runner.MigrateAsync(TextWriter.Null));

        Assert.StartsWith("cannot connect to the database at 127.0.0.1:1/y", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public async Task ProjectMigrations_ApplyCleanlyAndASecondRunIsANoOp()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(ProjectMigrations_ApplyCleanlyAndASecondRunIsANoOp));
        var options = new MigrationOptions { Directory = TestDatabase.MigrationsDirectory };

        var first = await new MigrationRunner(db, options).MigrateAsync(TextWriter.Null);
        var second = await new MigrationRunner(db, options).MigrateAsync(TextWriter.Null);

        Assert.Equal(MigrationSource.Load(TestDatabase.MigrationsDirectory).Count, first.Count);
        Assert.Empty(second);
    }
}

using Warehouse.Core.Migrations;
using Warehouse.Core.Portability;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Portability;

/// <summary>
/// The migration runner's own statements (history row, --allow-changed update): bound parameters on PostgreSQL,
/// parameter-free literal text on Redshift. The Redshift form is run here on PostgreSQL (with the portable scripts of a
/// temporary folder and transaction_timestamp() for ${now}, as PostgreSQL has no SYSDATE); not on Redshift.
/// </summary>
public sealed class RedshiftHistoryStatementsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("redshift-history-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly MigrationScript Quoted = MigrationScript.FromFile("V0007__o'brien_table.sql", "create table t (x int);\n");

    [Fact]
    public void RecordCommand_ForRedshift_CarriesNoParametersAndQuotesTheValues()
    {
        using var command = MigrationRunner.RecordCommand(Dialect.Redshift, "sysdate", Quoted, 42, success: true);

        Assert.Empty(command.Parameters);
        Assert.Contains("where script = 'V0007__o''brien_table.sql' and not success;", command.CommandText, StringComparison.Ordinal);
        Assert.Contains($"'0007', 'o''brien table', 'V0007__o''brien_table.sql', '{Quoted.Checksum}', current_user,", command.CommandText, StringComparison.Ordinal);
        Assert.Contains("sysdate, 42, true", command.CommandText, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordCommand_ForPostgres_BindsEveryValue()
    {
        using var command = MigrationRunner.RecordCommand(Dialect.Postgres, "transaction_timestamp()", Quoted, 42, success: false);

        Assert.Equal(["script", "version", "description", "checksum", "ms", "success"], command.Parameters.Select(p => p.ParameterName));
        Assert.DoesNotContain("o'brien", command.CommandText, StringComparison.Ordinal);
        Assert.Equal(
            ["update warehouse.schema_history set checksum = 'abc' where installed_rank = 3", "update warehouse.schema_history set checksum = @checksum where installed_rank = @rank"],
            new[] { Dialect.Redshift, Dialect.Postgres }.Select(d => MigrationRunner.AcceptChangedCommand(d, "abc", 3).CommandText));
    }

    [Fact]
    public async Task Migrate_WithTargetRedshiftOnPostgres_RecordsHistoryThroughLiteralStatements()
    {
        var db = await TestDatabase.CreateEmptyAsync(nameof(Migrate_WithTargetRedshiftOnPostgres_RecordsHistoryThroughLiteralStatements));
        File.WriteAllText(Path.Combine(_folder, Quoted.FileName), Quoted.Text);
        File.WriteAllText(Path.Combine(_folder, "R__t_view.sql"), "drop view if exists t_view; create view t_view as select x from t;\n");
        MigrationRunner Runner(bool allowChanged) => new(db, new MigrationOptions
        {
            Directory = _folder,
            Target = "redshift",
            Variables = new Dictionary<string, string> { ["now"] = "transaction_timestamp()" },
            AllowChanged = allowChanged,
        });

        await Runner(false).MigrateAsync(TextWriter.Null);
        File.WriteAllText(Path.Combine(_folder, Quoted.FileName), "create table t (x int);  -- edited\n");
        await Runner(true).MigrateAsync(TextWriter.Null);

        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(db,
            "select count(*) from warehouse.schema_history where description = 'o''brien table' and version = '0007' and success"));
        var edited = MigrationScript.FromFile(Quoted.FileName, "create table t (x int);  -- edited\n");
        Assert.Equal(edited.Checksum, await TestDatabase.ScalarAsync<string>(db,
            "select checksum from warehouse.schema_history where version = '0007'"));
        Assert.All((await new MigrationRunner(db, new MigrationOptions { Directory = _folder, Target = "redshift" }).InfoAsync()),
            status => Assert.Equal(MigrationState.Applied, status.State));
    }
}

using System.Data;
using System.Globalization;
using DbUp.Engine;
using DbUp.Engine.Transactions;
using DbUp.Support;
using Npgsql;
using Warehouse.Core.Portability;

namespace Warehouse.Core.Migrations;

/// <summary>One row of <c>warehouse.schema_history</c>.</summary>
internal sealed record HistoryRow(int Rank, string? Version, string Description, string Script, string Checksum, DateTime InstalledOn, int ExecutionMs, bool Success)
{
    /// <summary>The script key (see <see cref="MigrationScript.Key"/>): a target's variant and the plain file share it.</summary>
    public string Key => Version is not null ? $"V{Version}" : $"R {Description}";

    public decimal VersionNumber => Version is null ? 0 : decimal.Parse(Version, CultureInfo.InvariantCulture);
}

/// <summary>
/// DbUp's journal kept in the project's own table, <c>warehouse.schema_history</c> (its columns are a contract: databases
/// migrated before DbUp keep their history). DbUp's journals store only a script name; this one stores version,
/// description and the SHA-256 checksum that tells an edited script from an applied one. The row is written on the
/// script's own transaction, so a script and its row commit or roll back together.
/// </summary>
internal sealed class HistoryJournal(IConnectionManager connections, Dialect dialect, string now,
    Func<string, MigrationScript> scriptOf, Func<long> elapsedMs) : IJournal
{
    private const string Ddl = """
        create schema if not exists warehouse;
        create table if not exists warehouse.schema_history (
            installed_rank integer not null primary key,
            version varchar(50),
            description varchar(200) not null,
            script varchar(1000) not null,
            checksum char(64) not null,
            installed_by varchar(128) not null,
            installed_on timestamptz not null,
            execution_ms integer not null,
            success boolean not null
        );
        comment on table warehouse.schema_history is 'One row per script application by the warehouse migration runner.';
        """;

    /// <summary>The history as last read by DbUp (<see cref="GetExecutedScripts"/> runs before every plan).</summary>
    public IReadOnlyList<HistoryRow> Rows { get; private set; } = [];

    public bool TableExists { get; private set; }

    public string[] GetExecutedScripts() => connections.ExecuteCommandsWithManagedConnection(commands =>
    {
        TableExists = Exists(commands);
        Rows = TableExists ? Read(commands) : [];
        return Rows.Where(r => r.Success).Select(r => r.Script).ToArray();
    });

    public void StoreExecutedScript(SqlScript script, Func<IDbCommand> dbCommandFactory)
    {
        EnsureTableExistsAndIsLatestVersion(dbCommandFactory);
        using var command = MigrationRunner.RecordCommand(dialect, now, scriptOf(script.Name), elapsedMs(), success: true,
            (NpgsqlCommand)dbCommandFactory());
        command.ExecuteNonQuery();
    }

    public void EnsureTableExistsAndIsLatestVersion(Func<IDbCommand> dbCommandFactory)
    {
        if (!TableExists)
        {
            EnsureTable(dbCommandFactory);
            TableExists = true;
        }
    }

    public static void EnsureTable(Func<IDbCommand> dbCommandFactory)
    {
        using var command = dbCommandFactory();
        command.CommandText = Ddl;
        command.ExecuteNonQuery();
    }

    /// <summary>Every row, oldest first; none when the table does not exist yet.</summary>
    public static IReadOnlyList<HistoryRow> Read(Func<IDbCommand> dbCommandFactory)
    {
        if (!Exists(dbCommandFactory))
        {
            return [];
        }
        var rows = new List<HistoryRow>();
        using var command = dbCommandFactory();
        command.CommandText = "select installed_rank, version, description, script, checksum, installed_on, execution_ms, success " +
            "from warehouse.schema_history order by installed_rank";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new HistoryRow(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetDateTime(5), reader.GetInt32(6), reader.GetBoolean(7)));
        }
        return rows;
    }

    /// <summary>True when any script was ever applied successfully: the history table exists and holds a successful row.</summary>
    public static bool AnyApplied(Func<IDbCommand> dbCommandFactory)
    {
        if (!Exists(dbCommandFactory))
        {
            return false;
        }
        using var command = dbCommandFactory();
        command.CommandText = "select count(*) > 0 from warehouse.schema_history where success";
        return (bool)command.ExecuteScalar()!;
    }

    // information_schema rather than to_regclass(): Redshift has the former, not the latter.
    private static bool Exists(Func<IDbCommand> dbCommandFactory)
    {
        using var command = dbCommandFactory();
        command.CommandText = "select count(*) > 0 from information_schema.tables where table_schema = 'warehouse' and table_name = 'schema_history'";
        return (bool)command.ExecuteScalar()!;
    }
}

/// <summary>DbUp's script filter: <see cref="MigrationRunner.Plan"/> over the history the journal just read.</summary>
internal sealed class PlanFilter(HistoryJournal journal, IReadOnlyDictionary<string, MigrationScript> byName, MigrationOptions options) : IScriptFilter
{
    public IEnumerable<SqlScript> Filter(IEnumerable<SqlScript> sorted, HashSet<string> executedScriptNames, ScriptNameComparer comparer)
    {
        var scripts = sorted.ToList();
        var planned = MigrationRunner.Plan([.. scripts.Select(s => byName[s.Name])], journal.Rows, options).Select(s => s.FileName).ToHashSet();
        return scripts.Where(s => planned.Contains(s.Name));
    }
}

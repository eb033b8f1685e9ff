using System.Diagnostics;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Portability;

namespace Warehouse.Core.Migrations;

public enum MigrationState { Applied, Pending, Changed, Failed, Missing, Outdated }

/// <summary>The state of one script (or of one history entry whose file is gone).</summary>
public sealed record MigrationStatus(MigrationState State, string Key, string Description, string FileName, DateTime? InstalledOn, int? ExecutionMs);

public sealed record MigrationOptions
{
    public required string Directory { get; init; }
    public string Target { get; init; } = "postgres";
    /// <summary>Extra or overriding <c>${variables}</c>; the target's <see cref="Dialect"/> variables are always defined.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
    /// <summary>How concurrent runners are kept apart; null means the target's own (advisory lock, or lock table on Redshift).</summary>
    public IMigrationLock? Lock { get; init; }
    /// <summary>Accept versioned scripts whose text changed after they were applied (records the new checksum).</summary>
    public bool AllowChanged { get; init; }
}

/// <summary>
/// Applies versioned and repeatable scripts and records them in <c>warehouse.schema_history</c>. Each script runs in
/// its own transaction together with its history row, so a failing script leaves nothing behind. A lock
/// (<see cref="IMigrationLock"/>: advisory on PostgreSQL, a lock table on Redshift) serialises concurrent runners: the
/// second one waits, then finds nothing left to do.
/// </summary>
public sealed class MigrationRunner(string connectionString, MigrationOptions options)
{
    private readonly Dialect _dialect = Dialect.For(options.Target);
    private readonly string _connectionString = Dialect.For(options.Target).ConnectionString(connectionString);

    private const string HistoryDdl = """
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

    private sealed record HistoryRow(int Rank, string? Version, string Description, string Script, string Checksum, DateTime InstalledOn, int ExecutionMs, bool Success);

    /// <summary>Applies what is pending and returns the scripts applied. With dryRun, prints them and changes nothing.</summary>
    public async Task<IReadOnlyList<MigrationScript>> MigrateAsync(TextWriter log, bool dryRun = false, CancellationToken ct = default)
    {
        var scripts = MigrationSource.Load(options.Directory, options.Target);
        await using var connection = await OpenAsync(ct);
        if (dryRun)
        {
            var planned = Plan(scripts, await ReadHistoryAsync(connection, ct), log);
            WriteScript(planned, options, log);
            return planned;
        }

        var migrationLock = options.Lock ?? _dialect.MigrationLock();
        await using (await migrationLock.AcquireAsync(_connectionString, connection, ct))
        {
            await ExecuteAsync(connection, HistoryDdl, ct);
            var history = await ReadHistoryAsync(connection, ct);
            var planned = Plan(scripts, history, log);
            if (options.AllowChanged)
            {
                await AcceptChangedAsync(connection, scripts, history, log, ct);
            }
            foreach (var script in planned)
            {
                await ApplyAsync(connection, script, log, ct);
            }
            log.WriteLine(planned.Count == 0 ? "database is up to date" : $"applied {planned.Count} script(s)");
            return planned;
        }
    }

    /// <summary>
    /// The dry run without a database: every script counts as pending, so this prints the complete script a new
    /// database of the target would run, variables resolved and variants chosen.
    /// </summary>
    public static IReadOnlyList<MigrationScript> DryRunOffline(MigrationOptions options, TextWriter log)
    {
        var scripts = MigrationSource.Load(options.Directory, options.Target);
        var planned = new MigrationRunner("", options).Plan(scripts, [], log);
        log.WriteLine($"-- target {options.Target}, no database given: every script is shown as pending");
        log.WriteLine();
        WriteScript(planned, options, log);
        return planned;
    }

    private static void WriteScript(IReadOnlyList<MigrationScript> planned, MigrationOptions options, TextWriter log)
    {
        var variables = Dialect.For(options.Target).VariablesWith(options.Variables);
        foreach (var script in planned)
        {
            log.WriteLine($"-- {script.FileName} (checksum {script.Checksum})");
            log.WriteLine(MigrationSource.ResolveVariables(script.Text, script.FileName, variables).TrimEnd());
            log.WriteLine();
        }
        log.WriteLine($"-- dry run: {planned.Count} script(s) would be applied; nothing was changed");
    }

    /// <summary>One status per script on disk, plus history entries whose script is gone.</summary>
    public async Task<IReadOnlyList<MigrationStatus>> InfoAsync(CancellationToken ct = default)
    {
        var scripts = MigrationSource.Load(options.Directory, options.Target);
        await using var connection = await OpenAsync(ct);
        var history = await ReadHistoryAsync(connection, ct);
        var statuses = new List<MigrationStatus>();
        foreach (var script in scripts)
        {
            var rows = history.Where(h => KeyOf(h) == script.Key).ToList();
            var lastSuccess = rows.LastOrDefault(r => r.Success);
            var lastRow = rows.LastOrDefault();
            var state = (lastSuccess, lastRow) switch
            {
                (_, { Success: false }) => MigrationState.Failed,
                (null, _) => MigrationState.Pending,
                ({ } s, _) when s.Checksum == script.Checksum => MigrationState.Applied,
                _ when script.Kind == MigrationKind.Repeatable => MigrationState.Outdated,
                _ => MigrationState.Changed,
            };
            statuses.Add(new MigrationStatus(state, script.Key, script.Description, script.FileName, lastRow?.InstalledOn, lastRow?.ExecutionMs));
        }
        var onDisk = scripts.Select(s => s.Key).ToHashSet();
        foreach (var gone in history.Where(h => h.Success && h.Version is not null && !onDisk.Contains(KeyOf(h))).DistinctBy(KeyOf))
        {
            statuses.Add(new MigrationStatus(MigrationState.Missing, KeyOf(gone), gone.Description, gone.Script, gone.InstalledOn, gone.ExecutionMs));
        }
        return statuses;
    }

    private List<MigrationScript> Plan(IReadOnlyList<MigrationScript> scripts, IReadOnlyList<HistoryRow> history, TextWriter log)
    {
        var planned = new List<MigrationScript>();
        var lastSuccess = history.Where(h => h.Success).GroupBy(KeyOf).ToDictionary(g => g.Key, g => g.Last());
        foreach (var script in scripts.Where(s => s.Kind == MigrationKind.Versioned))
        {
            if (!lastSuccess.TryGetValue(script.Key, out var applied))
            {
                planned.Add(script);
            }
            else if (applied.Checksum != script.Checksum && !options.AllowChanged)
            {
                throw new WarehouseException(
                    $"{script.FileName} was changed after it was applied (checksum {applied.Checksum[..12]}… is now {script.Checksum[..12]}…); " +
                    "restore it and add a new versioned script, or pass --allow-changed to accept the edit");
            }
        }

        // Views depend on each other and on tables: once a versioned script or one repeatable runs, every later repeatable
        // runs again, so a view dropped by a cascade upstream is always re-created.
        var rerunRest = planned.Count > 0;
        foreach (var script in scripts.Where(s => s.Kind == MigrationKind.Repeatable))
        {
            var current = lastSuccess.TryGetValue(script.Key, out var applied) && applied.Checksum == script.Checksum;
            if (rerunRest || !current)
            {
                planned.Add(script);
                rerunRest = true;
            }
        }
        return planned;
    }

    private async Task AcceptChangedAsync(NpgsqlConnection connection, IReadOnlyList<MigrationScript> scripts,
        IReadOnlyList<HistoryRow> history, TextWriter log, CancellationToken ct)
    {
        foreach (var script in scripts.Where(s => s.Kind == MigrationKind.Versioned))
        {
            var applied = history.LastOrDefault(h => h.Success && KeyOf(h) == script.Key);
            if (applied is not null && applied.Checksum != script.Checksum)
            {
                log.WriteLine($"accepting the edited {script.FileName} (--allow-changed): its new checksum is recorded, it is not re-run");
                await using var command = AcceptChangedCommand(_dialect, script.Checksum, applied.Rank);
                command.Connection = connection;
                await command.ExecuteNonQueryAsync(ct);
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, MigrationScript script, TextWriter log, CancellationToken ct)
    {
        var text = MigrationSource.ResolveVariables(script.Text, script.FileName, _dialect.VariablesWith(options.Variables));
        var stopwatch = Stopwatch.StartNew();
        // A script's WARNING is meant for the operator (e.g. a privilege only the owner can change): pass it on.
        void Warn(object sender, NpgsqlNoticeEventArgs e)
        {
            if (e.Notice.InvariantSeverity == "WARNING")
            {
                log.WriteLine($"warning: {script.FileName}: {e.Notice.MessageText}");
            }
        }
        connection.Notice += Warn;
        try
        {
            await ApplyStatementsAsync(connection, script, SqlStatementSplitter.Split(text), stopwatch, ct);
        }
        finally
        {
            connection.Notice -= Warn;
        }
        log.WriteLine($"applied {script.FileName} ({stopwatch.ElapsedMilliseconds} ms)");
    }

    private async Task ApplyStatementsAsync(NpgsqlConnection connection, MigrationScript script,
        IReadOnlyList<SqlStatement> statements, Stopwatch stopwatch, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var statement in statements)
        {
            try
            {
                await using var command = new NpgsqlCommand(statement.Sql, connection, transaction);
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                await RecordAsync(connection, null, script, stopwatch.ElapsedMilliseconds, success: false, CancellationToken.None);
                var line = statement.StartLine + (e.Position > 0 ? statement.Sql.AsSpan(0, Math.Min(e.Position - 1, statement.Sql.Length)).Count('\n') : 0);
                throw new WarehouseException($"{script.FileName}:{line}: {e.MessageText} (SQLSTATE {e.SqlState}); the script was rolled back", e);
            }
        }
        await RecordAsync(connection, transaction, script, stopwatch.ElapsedMilliseconds, success: true, ct);
        await transaction.CommitAsync(ct);
    }

    private async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, MigrationScript script,
        long elapsedMs, bool success, CancellationToken ct)
    {
        await using var command = RecordCommand(_dialect, _dialect.VariablesWith(options.Variables)["now"], script, elapsedMs, success);
        command.Connection = connection;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The history row of one script application (a success replaces an earlier failure of the same script, so
    /// info shows the script as applied).</summary>
    internal static NpgsqlCommand RecordCommand(Dialect dialect, string now, MigrationScript script, long elapsedMs, bool success)
    {
        var values = new StatementValues(dialect);
        var sql = $"""
            delete from warehouse.schema_history where script = {values.Add("script", script.FileName)} and not success;
            insert into warehouse.schema_history
                (installed_rank, version, description, script, checksum, installed_by, installed_on, execution_ms, success)
            select coalesce(max(installed_rank), 0) + 1, {values.Add("version", script.Version)}, {values.Add("description", script.Description)}, {values.Add("script", script.FileName)}, {values.Add("checksum", script.Checksum)}, current_user,
                   {now}, {values.Add("ms", (int)elapsedMs)}, {values.Add("success", success)}
            from warehouse.schema_history
            """;
        return values.Command(sql);
    }

    internal static NpgsqlCommand AcceptChangedCommand(Dialect dialect, string checksum, int rank)
    {
        var values = new StatementValues(dialect);
        return values.Command(
            $"update warehouse.schema_history set checksum = {values.Add("checksum", checksum)} where installed_rank = {values.Add("rank", rank)}");
    }

    /// <summary>
    /// The values of one statement: bound parameters on PostgreSQL, and on Redshift literals in the text (the issue asks
    /// for parameter-free statements there; strings go through <see cref="RedshiftCopy.Literal"/>, which doubles quotes
    /// and refuses control characters).
    /// </summary>
    private sealed class StatementValues(Dialect dialect)
    {
        private readonly List<NpgsqlParameter> _parameters = [];

        public string Add(string name, object? value)
        {
            if (dialect.IsRedshift)
            {
                return value switch
                {
                    null => "null",
                    string text => RedshiftCopy.Literal(text),
                    int number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    bool flag => flag ? "true" : "false",
                    _ => throw new ArgumentException($"no literal form for {value.GetType().Name}", nameof(value)),
                };
            }
            if (!_parameters.Exists(p => p.ParameterName == name))
            {
                _parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
            }
            return "@" + name;
        }

        public NpgsqlCommand Command(string sql)
        {
            var command = new NpgsqlCommand(sql);
            command.Parameters.AddRange(_parameters.ToArray());
            return command;
        }
    }

    private static async Task<IReadOnlyList<HistoryRow>> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // information_schema rather than to_regclass(): Redshift has the former, not the latter.
        await using (var exists = new NpgsqlCommand(
            "select count(*) > 0 from information_schema.tables where table_schema = 'warehouse' and table_name = 'schema_history'", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                return [];
            }
        }
        var rows = new List<HistoryRow>();
        await using var command = new NpgsqlCommand(
            "select installed_rank, version, description, script, checksum, installed_on, execution_ms, success " +
            "from warehouse.schema_history order by installed_rank", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new HistoryRow(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetDateTime(5), reader.GetInt32(6), reader.GetBoolean(7)));
        }
        return rows;
    }

    private static string KeyOf(HistoryRow row) => row.Version is not null ? $"V{row.Version}" : $"R {row.Description}";

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct) => await Connections.OpenAsync(_connectionString, ct);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

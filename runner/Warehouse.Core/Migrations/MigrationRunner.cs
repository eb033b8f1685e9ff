using System.Globalization;
using DbUp.Engine;
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
    /// <summary>Apply a new versioned script numbered below the newest applied one (refused otherwise).</summary>
    public bool OutOfOrder { get; init; }
    /// <summary>A database that holds the objects but no history: record the versioned scripts up to this version as
    /// applied without running them, then migrate the rest.</summary>
    public string? Baseline { get; init; }
}

/// <summary>
/// Applies versioned and repeatable scripts with DbUp's <see cref="UpgradeEngine"/> and records them in
/// <c>warehouse.schema_history</c> (<see cref="HistoryJournal"/>). DbUp runs each script in its own transaction together
/// with its history row, so a failing script leaves nothing behind. What DbUp lacks is added here: checksums and the
/// plan (<see cref="Plan"/>: edited, changed-repeatable and out-of-order scripts), a lock (<see cref="IMigrationLock"/>)
/// so a second runner waits and then finds nothing to do, a privilege check before anything runs, and a baseline.
/// </summary>
public sealed class MigrationRunner(string connectionString, MigrationOptions options)
{
    private readonly MigrationOptions _options = options;
    private readonly Dialect _dialect = Dialect.For(options.Target);
    private readonly string _connectionString = Dialect.For(options.Target).ConnectionString(connectionString);

    /// <summary>Applies what is pending and returns the scripts applied. With dryRun, prints them and changes nothing.</summary>
    public async Task<IReadOnlyList<MigrationScript>> MigrateAsync(TextWriter log, bool dryRun = false, CancellationToken ct = default)
    {
        var scripts = MigrationSource.Load(_options.Directory, _options.Target);
        // Our own connection first: it turns "cannot connect" into one clear line, and holds the lock.
        await using var connection = await Connections.OpenAsync(_connectionString, ct);
        var upgrade = new Upgrade(this, scripts, log, ct);
        if (dryRun)
        {
            var planned = upgrade.Pending();
            WriteScript(planned, _options, log);
            return planned;
        }

        var migrationLock = _options.Lock ?? _dialect.MigrationLock();
        await using (await migrationLock.AcquireAsync(_connectionString, connection, ct))
        {
            if (_options.Baseline is { } baseline)
            {
                upgrade.Baseline(baseline);
            }
            var planned = upgrade.Pending();
            await MigrationPrivileges.RequireAsync(connection, _dialect, planned, upgrade.HistoryExists, ct);
            if (_options.AllowChanged)
            {
                upgrade.AcceptChanged(connection);
            }
            await upgrade.ApplyAsync(connection, planned);
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
        var planned = Plan(scripts, [], options);
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
        var scripts = MigrationSource.Load(_options.Directory, _options.Target);
        await using var connection = await Connections.OpenAsync(_connectionString, ct);
        var history = HistoryJournal.Read(connection.CreateCommand);
        var statuses = new List<MigrationStatus>();
        foreach (var script in scripts)
        {
            var rows = history.Where(h => h.Key == script.Key).ToList();
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
        foreach (var gone in history.Where(h => h.Success && h.Version is not null && !onDisk.Contains(h.Key)).DistinctBy(h => h.Key))
        {
            statuses.Add(new MigrationStatus(MigrationState.Missing, gone.Key, gone.Description, gone.Script, gone.InstalledOn, gone.ExecutionMs));
        }
        return statuses;
    }

    /// <summary>
    /// Which scripts run, in order (DbUp's script filter, <see cref="PlanFilter"/>). DbUp knows only "run once" and "run
    /// always"; here a versioned script runs when it has no successful history row, and an edited one is refused unless
    /// allowed; a new one numbered below the newest applied one is refused unless out of order is allowed; a repeatable
    /// runs when its checksum changed.
    /// </summary>
    internal static List<MigrationScript> Plan(IReadOnlyList<MigrationScript> scripts, IReadOnlyList<HistoryRow> history, MigrationOptions options)
    {
        var planned = new List<MigrationScript>();
        var lastSuccess = history.Where(h => h.Success).GroupBy(h => h.Key).ToDictionary(g => g.Key, g => g.Last());
        var newestApplied = lastSuccess.Values.Where(h => h.Version is not null).OrderByDescending(h => h.VersionNumber).FirstOrDefault();
        foreach (var script in scripts.Where(s => s.Kind == MigrationKind.Versioned))
        {
            if (!lastSuccess.TryGetValue(script.Key, out var applied))
            {
                if (newestApplied is not null && script.VersionNumber < newestApplied.VersionNumber && !options.OutOfOrder)
                {
                    throw new WarehouseException(
                        $"{script.FileName} is new but numbered below {newestApplied.Script}, which is already applied; " +
                        "give it a version above the newest, or pass --out-of-order to apply it anyway");
                }
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

    /// <summary>The history row of one script application (a success replaces an earlier failure of the same script, so
    /// info shows the script as applied).</summary>
    internal static NpgsqlCommand RecordCommand(Dialect dialect, string now, MigrationScript script, long elapsedMs, bool success,
        NpgsqlCommand? into = null)
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
        return values.Command(sql, into);
    }

    internal static NpgsqlCommand AcceptChangedCommand(Dialect dialect, string checksum, int rank, NpgsqlCommand? into = null)
    {
        var values = new StatementValues(dialect);
        return values.Command(
            $"update warehouse.schema_history set checksum = {values.Add("checksum", checksum)} where installed_rank = {values.Add("rank", rank)}", into);
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
                    int number => number.ToString(CultureInfo.InvariantCulture),
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

        public NpgsqlCommand Command(string sql, NpgsqlCommand? into)
        {
            var command = into ?? new NpgsqlCommand();
            command.CommandText = sql;
            command.Parameters.AddRange(_parameters.ToArray());
            return command;
        }
    }

    /// <summary>One migrate call: the DbUp engine configured for this folder, target and database.</summary>
    private sealed class Upgrade
    {
        private readonly MigrationRunner _runner;
        private readonly IReadOnlyDictionary<string, MigrationScript> _byName;
        private readonly WarehouseScriptExecutor.ConnectionManager _connections;
        private readonly WarehouseScriptExecutor _executor;
        private readonly HistoryJournal _journal;
        private readonly UpgradeEngine _engine;
        private readonly string _now;

        public Upgrade(MigrationRunner runner, IReadOnlyList<MigrationScript> scripts, TextWriter log, CancellationToken ct)
        {
            _runner = runner;
            _byName = scripts.ToDictionary(s => s.FileName);
            var variables = runner._dialect.VariablesWith(runner._options.Variables);
            _now = variables["now"];
            var order = scripts.Select((s, i) => (s.FileName, i)).ToDictionary(p => p.FileName, p => p.i);
            _connections = new WarehouseScriptExecutor.ConnectionManager(runner._connectionString, log);
            _executor = new WarehouseScriptExecutor(_connections, variables, log, ct, () => _journal!);
            _journal = new HistoryJournal(_connections, runner._dialect, _now, name => _byName[name], () => _executor.ElapsedMs);
            var builder = DbUp.DeployChanges.To.PostgresqlDatabase(_connections)
                .WithScripts(scripts.Select(s => new SqlScript(s.FileName, s.Text)))
                .WithScriptSorter(found => found.OrderBy(s => order[s.Name]))
                .JournalTo(_journal)
                .WithFilter(new PlanFilter(_journal, _byName, runner._options))
                .WithTransactionPerScript()
                .WithVariablesDisabled()
                .LogToNowhere();
            // DbUp's PostgreSQL executor, extended: templates, warnings, errors naming file and line, cancellation.
            builder.Configure(c => c.ScriptExecutor = _executor);
            _engine = builder.Build();
        }

        public bool HistoryExists => _journal.TableExists;

        public List<MigrationScript> Pending() => [.. _engine.GetScriptsToExecute().Select(s => _byName[s.Name])];

        public void Baseline(string version)
        {
            if (!decimal.TryParse(version.TrimStart('V', 'v'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var upTo))
            {
                throw new WarehouseException($"--baseline {version}: not a version (expected a number such as 0064)");
            }
            // A failed attempt (the objects were already there) leaves a failure row: that is not a history to keep.
            var applied = _engine.GetExecutedScripts().Count;
            if (applied > 0)
            {
                throw new WarehouseException(
                    $"--baseline {version}: the database already has a migration history ({applied} script(s) applied); a baseline is only for a database without one");
            }
            var last = _byName.Values.Where(s => s.Kind == MigrationKind.Versioned && s.VersionNumber <= upTo).MaxBy(s => s.VersionNumber)
                ?? throw new WarehouseException($"--baseline {version}: no versioned script is numbered at or below it");
            // One transaction for the whole baseline: it is recorded entirely or not at all.
            _connections.TransactionMode = DbUp.Engine.Transactions.TransactionMode.SingleTransaction;
            var result = _engine.MarkAsExecuted(last.FileName);
            _connections.TransactionMode = DbUp.Engine.Transactions.TransactionMode.TransactionPerScript;
            if (!result.Successful)
            {
                throw Failure(result.Error, null);
            }
            _executor.Output.WriteLine($"baseline: recorded {result.Scripts.Count()} script(s) up to {last.FileName} as applied without running them");
        }

        public void AcceptChanged(NpgsqlConnection connection)
        {
            foreach (var script in _byName.Values.Where(s => s.Kind == MigrationKind.Versioned))
            {
                var applied = _journal.Rows.LastOrDefault(h => h.Success && h.Key == script.Key);
                if (applied is not null && applied.Checksum != script.Checksum)
                {
                    _executor.Output.WriteLine($"accepting the edited {script.FileName} (--allow-changed): its new checksum is recorded, it is not re-run");
                    using var command = AcceptChangedCommand(_runner._dialect, script.Checksum, applied.Rank, connection.CreateCommand());
                    command.ExecuteNonQuery();
                }
            }
        }

        public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<MigrationScript> planned)
        {
            if (planned.Count == 0)
            {
                return;
            }
            var result = _engine.PerformUpgrade();
            if (result.Successful)
            {
                return;
            }
            var failed = result.ErrorScript is { } s ? _byName[s.Name] : null;
            if (failed is not null && !_executor.Cancelled)
            {
                // The script's transaction was rolled back with its history row (and with the history table if this was
                // the first script): record the failure on our own connection so info shows it.
                HistoryJournal.EnsureTable(connection.CreateCommand);
                using var record = RecordCommand(_runner._dialect, _now, failed, _executor.ElapsedMs, success: false, connection.CreateCommand());
                await record.ExecuteNonQueryAsync(CancellationToken.None);
            }
            throw Failure(result.Error, failed);
        }

        private Exception Failure(Exception error, MigrationScript? script) => error switch
        {
            WarehouseException or OperationCanceledException => error,
            PostgresException e when _executor.Cancelled => new OperationCanceledException("migration interrupted", e),
            PostgresException e => new WarehouseException($"{script?.FileName ?? "schema history"}: {e.MessageText} (SQLSTATE {e.SqlState})", e),
            _ => new WarehouseException($"{script?.FileName ?? "migration"}: {error.Message}", error),
        };
    }
}

using System.Data;
using System.Diagnostics;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using Npgsql;

namespace Warehouse.Core.Migrations;

/// <summary>
/// DbUp's PostgreSQL executor with what the warehouse adds: <c>${name}</c> templates resolved per file (DbUp's own
/// <c>$name$</c> variables are disabled: they would break <c>$body$</c> quoting), a failing statement reported as one line
/// naming file and line, Ctrl-C cancelling the running statement, and the script's run time for the history.
/// </summary>
internal sealed class WarehouseScriptExecutor(
    WarehouseScriptExecutor.ConnectionManager connections, IReadOnlyDictionary<string, string> variables, TextWriter log,
    CancellationToken ct, Func<IJournal> journal)
    : PostgresqlScriptExecutor(() => connections, () => new NoOpUpgradeLog(), null, () => false, [], journal)
{
    private readonly Stopwatch _stopwatch = new();
    private string _contents = "";

    public TextWriter Output => log;
    public long ElapsedMs => _stopwatch.ElapsedMilliseconds;
    public bool Cancelled => ct.IsCancellationRequested;

    public override void Execute(SqlScript script, IDictionary<string, string> _)
    {
        ct.ThrowIfCancellationRequested();
        connections.CurrentScript = script.Name;
        _stopwatch.Restart();
        base.Execute(script, null);
        log.WriteLine($"applied {script.Name} ({_stopwatch.ElapsedMilliseconds} ms)");
    }

    protected override string PreprocessScriptContents(SqlScript script, IDictionary<string, string> _) =>
        _contents = MigrationSource.ResolveVariables(script.Contents, script.Name, variables);

    protected override void ExecuteNonQuery(IDbCommand command)
    {
        using var cancel = ct.Register(command.Cancel);
        command.ExecuteNonQuery();
    }

    protected override void ExecuteCommandsWithinExceptionHandler(int index, SqlScript script, Action executeCommand)
    {
        try
        {
            executeCommand();
        }
        catch (PostgresException e) when (!ct.IsCancellationRequested)
        {
            var statement = SqlStatementSplitter.Split(_contents)[index];
            var line = statement.StartLine + (e.Position > 0 ? statement.Sql.AsSpan(0, Math.Min(e.Position - 1, statement.Sql.Length)).Count('\n') : 0);
            throw new WarehouseException($"{script.Name}:{line}: {e.MessageText} (SQLSTATE {e.SqlState}); the script was rolled back", e);
        }
    }

    /// <summary>
    /// DbUp's connections, each passing a script's WARNING on to the operator (e.g. a privilege only the owner can change)
    /// as <c>warning: FILE: ...</c>; statements are split as <see cref="SqlStatementSplitter"/> does.
    /// </summary>
    internal sealed class ConnectionManager(string connectionString, TextWriter log)
        : DatabaseConnectionManager(new DelegateConnectionFactory((_, self) => Open(connectionString, log, (ConnectionManager)self)))
    {
        public string CurrentScript { get; set; } = "";

        public override IEnumerable<string> SplitScriptIntoCommands(string scriptContents) =>
            SqlStatementSplitter.Split(scriptContents).Select(s => s.Sql);

        private static NpgsqlConnection Open(string connectionString, TextWriter log, ConnectionManager self)
        {
            var connection = new NpgsqlConnection(connectionString);
            connection.Notice += (_, e) =>
            {
                if (e.Notice.InvariantSeverity == "WARNING")
                {
                    log.WriteLine($"warning: {self.CurrentScript}: {e.Notice.MessageText}");
                }
            };
            return connection;
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Warehouse.Core.Database;

/// <summary>
/// A private PostgreSQL cluster in a folder (by default <c>.warehouse/pg</c> in the repository), created with initdb on
/// first use and started on a free loopback port. Only loopback TCP is enabled and authentication is "trust", so the
/// cluster is reachable by local processes only; use <c>--database</c> for anything shared.
/// </summary>
public sealed class EmbeddedPostgres
{
    public const string SuperUser = "warehouse";
    public const string DatabaseName = "warehouse";
    /// <summary>Where a plain <c>warehouse run</c> puts the bundled sample, so it never mixes with the user's own data.</summary>
    public const string SampleDatabaseName = "warehouse_sample";

    private readonly string _root;
    private readonly IReadOnlyList<string> _extraSettings;

    /// <param name="root">Folder that holds the cluster (data/ and server.log).</param>
    /// <param name="extraSettings">Extra <c>-c name=value</c> server settings, e.g. fsync=off for throwaway test clusters.</param>
    public EmbeddedPostgres(string root, IReadOnlyList<string>? extraSettings = null)
    {
        _root = Path.GetFullPath(root);
        _extraSettings = extraSettings ?? [];
    }

    public string Root => _root;
    private string DataDirectory => Path.Combine(_root, "data");
    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>
    /// Starts the cluster when it is not running (creating it first when needed) and returns the URL of
    /// <paramref name="database"/>, which is created when missing.
    /// </summary>
    public string Start(TextWriter? log = null, string database = DatabaseName)
    {
        var binaries = PostgresBinaries.Locate();
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            Initialise(binaries, log);
        }

        if (RunningPort() is int running)
        {
            if (database != DatabaseName)
            {
                EnsureDatabase(running, database);
            }
            return UrlFor(running, database);
        }

        var port = FreeLoopbackPort();
        var settings = new StringBuilder($"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
        foreach (var setting in _extraSettings)
        {
            settings.Append(" -c ").Append(setting);
        }
        log?.WriteLine($"starting PostgreSQL on 127.0.0.1:{port} ({DataDirectory})");
        var result = binaries.Run("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", settings.ToString(), "-w", "-t", "60", "start"]);
        if (result.ExitCode != 0)
        {
            throw new WarehouseException($"PostgreSQL did not start: {LastLogLine() ?? result.Output.Trim()} (log: {LogFile})");
        }

        EnsureDatabase(port, DatabaseName);
        if (database != DatabaseName)
        {
            EnsureDatabase(port, database);
        }
        return UrlFor(port, database);
    }

    public bool Stop()
    {
        if (RunningPort() is null)
        {
            return false;
        }
        var result = PostgresBinaries.Locate().Run("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);
        if (result.ExitCode != 0)
        {
            throw new WarehouseException($"PostgreSQL did not stop: {result.Output.Trim()}");
        }
        return true;
    }

    /// <summary>The URL when the cluster is running, otherwise null.</summary>
    public string? RunningUrl() => RunningPort() is int port ? UrlFor(port) : null;

    public bool Exists => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    private static string UrlFor(int port, string database = DatabaseName) => $"postgresql://{SuperUser}@127.0.0.1:{port}/{database}";

    /// <summary>Reads the port from postmaster.pid (line 4) when the postmaster it names is alive.</summary>
    private int? RunningPort()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(pidFile);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port))
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : port;
        }
        catch (ArgumentException)
        {
            return null; // stale pid file: the server died without cleaning up; pg_ctl start handles that.
        }
    }

    private void Initialise(PostgresBinaries binaries, TextWriter? log)
    {
        log?.WriteLine($"creating PostgreSQL cluster in {DataDirectory}");
        Directory.CreateDirectory(_root);
        binaries.PrepareDirectory(_root);
        // C collation: text sorts byte-wise, several times faster than a linguistic collation for the session sort.
        var result = binaries.Run("initdb", ["-D", DataDirectory, "-U", SuperUser, "-E", "UTF8", "--locale=C",
            "--auth=trust", "--no-instructions"]);
        if (result.ExitCode != 0)
        {
            throw new WarehouseException($"initdb failed: {LastNonEmptyLine(result.Output)}");
        }
        // Settings for an analytics workload on one machine: large sorts in memory, few checkpoints during bulk loads.
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.auto.conf"), """
            shared_buffers = '512MB'
            work_mem = '256MB'
            maintenance_work_mem = '1GB'
            max_wal_size = '8GB'
            synchronous_commit = off
            wal_level = minimal
            max_wal_senders = 0
            max_parallel_workers_per_gather = 2
            jit = off
            timezone = 'UTC'

            """);
        binaries.GiveToServerUser(Path.Combine(DataDirectory, "postgresql.auto.conf"));
    }

    private static void EnsureDatabase(int port, string databaseName)
    {
        using var connection = new Npgsql.NpgsqlConnection(
            $"Host=127.0.0.1;Port={port};Username={SuperUser};Database=postgres;Pooling=false");
        connection.Open();
        using var exists = new Npgsql.NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", databaseName);
        if (exists.ExecuteScalar() is null)
        {
            using var create = new Npgsql.NpgsqlCommand($"create database {databaseName}", connection);
            create.ExecuteNonQuery();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string? LastLogLine()
    {
        try
        {
            return File.Exists(LogFile) ? LastNonEmptyLine(File.ReadAllText(LogFile)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string LastNonEmptyLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}

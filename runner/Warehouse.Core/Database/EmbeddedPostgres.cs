using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Warehouse.Core.Database;

/// <summary>
/// A private PostgreSQL cluster in a folder (by default <c>.warehouse/pg</c> in the repository), created with initdb on
/// first use and started on a free loopback port. It listens on 127.0.0.1 only (no Unix socket) and asks every login for a
/// password (SCRAM); the superuser's password is generated on creation and kept in <c>password</c> beside the data, mode
/// 0600, so other users of the machine cannot log in. Use <c>--database</c> for anything shared.
/// </summary>
public sealed class EmbeddedPostgres
{
    public const string SuperUser = "warehouse";
    public const string DatabaseName = "warehouse";
    /// <summary>Where a plain <c>warehouse run</c> puts the bundled sample, so it never mixes with the user's own data.</summary>
    public const string SampleDatabaseName = "warehouse_sample";

    /// <summary>
    /// Settings for an analytics workload on one machine (large sorts in memory, few checkpoints during bulk loads), in
    /// UTC; written into every new cluster, and given to the tests' PostgreSQL container so both test lanes agree.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> ServerSettings { get; } =
    [
        ("shared_buffers", "512MB"),
        ("work_mem", "256MB"),
        ("maintenance_work_mem", "1GB"),
        ("max_wal_size", "8GB"),
        ("synchronous_commit", "off"),
        ("wal_level", "minimal"),
        ("max_wal_senders", "0"),
        ("max_parallel_workers_per_gather", "2"),
        ("jit", "off"),
        ("timezone", "UTC"),
    ];

    /// <summary>
    /// CONNECT on the cluster's own databases is taken from PUBLIC: only the superuser needs them, and the API's role
    /// must reach the warehouse databases only.
    /// </summary>
    public const string RestrictClusterDatabases = "revoke connect on database postgres, template1 from public";

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
    private string HbaFile => Path.Combine(DataDirectory, "pg_hba.conf");

    /// <summary>The cluster's port: chosen free on the first start and kept, so a saved connection (a BI tool's) keeps working.</summary>
    public string PortFile => Path.Combine(_root, "port");

    /// <summary>The superuser's generated password (mode 0600, readable by the user who runs the warehouse only).</summary>
    public string PasswordFile => Path.Combine(_root, "password");

    /// <summary>
    /// The only logins accepted: password (SCRAM) over loopback TCP. No "local" line: the Unix socket is off
    /// (unix_socket_directories = ''), so nothing can log in through it even when someone starts the server by hand.
    /// </summary>
    internal const string HbaConf = """
        # Written by the warehouse runner: password (SCRAM) logins over loopback TCP only; the Unix socket is off.
        # TYPE  DATABASE  USER  ADDRESS       METHOD
        host    all       all   127.0.0.1/32  scram-sha-256
        host    all       all   ::1/128       scram-sha-256

        """;

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
            if (NeedsUpgrade)
            {
                Upgrade(running, log);
            }
            if (database != DatabaseName)
            {
                EnsureDatabase(running, database);
            }
            return UrlFor(running, database);
        }

        var port = KeptPort();
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

        if (NeedsUpgrade)
        {
            Upgrade(port, log);
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

    /// <summary>The URL with its password masked when the cluster is running, otherwise null: for messages.</summary>
    public string? RunningAddress() => RunningPort() is int port ? $"postgresql://{SuperUser}:***@127.0.0.1:{port}/{DatabaseName}" : null;

    public bool Exists => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    private string UrlFor(int port, string database = DatabaseName) =>
        $"postgresql://{SuperUser}:{Uri.EscapeDataString(Password())}@127.0.0.1:{port}/{database}";

    /// <summary>
    /// A generated secret kept beside the superuser's password (mode 0600), created on first use; e.g. the password the
    /// API's role gets on this cluster, which asks every login for one.
    /// </summary>
    public string Secret(string name)
    {
        var path = Path.Combine(_root, name);
        return ReadSecret(path) ?? CreateSecret(path);
    }

    private string Password() =>
        ReadSecret(PasswordFile) ?? throw new WarehouseException(
            $"the embedded cluster's password file {PasswordFile} is missing; restore it, or move {_root} away to start afresh");

    /// <summary>
    /// A cluster whose pg_hba.conf is not the runner's, such as one made before passwords (trust authentication, no
    /// password file): its users have data in it, so it is upgraded in place rather than re-created.
    /// </summary>
    private bool NeedsUpgrade => !File.Exists(HbaFile) || File.ReadAllText(HbaFile) != HbaConf;

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
        var password = ReadSecret(PasswordFile) ?? CreateSecret(PasswordFile);
        // initdb reads the password from a file; when it runs as the server user it cannot read ours (mode 0600, the
        // runner's), so it gets a copy of its own for the moment it runs.
        var initdbPassword = Path.Combine(_root, $"initdb-password.{Environment.ProcessId}");
        WriteNew(initdbPassword, password);
        (int ExitCode, string Output) result;
        try
        {
            binaries.GiveToServerUser(initdbPassword);
            // C collation: text sorts byte-wise, much cheaper than a linguistic collation for the session sort.
            result = binaries.Run("initdb", ["-D", DataDirectory, "-U", SuperUser, "-E", "UTF8", "--locale=C",
                "--auth=scram-sha-256", $"--pwfile={initdbPassword}", "--no-instructions"]);
        }
        finally
        {
            File.Delete(initdbPassword);
        }
        if (result.ExitCode != 0)
        {
            throw new WarehouseException($"initdb failed: {LastNonEmptyLine(result.Output)}");
        }
        WriteHba(binaries);
        File.AppendAllText(Path.Combine(DataDirectory, "postgresql.auto.conf"),
            string.Concat(ServerSettings.Select(s => $"{s.Name} = '{s.Value}'\n")));
        binaries.GiveToServerUser(Path.Combine(DataDirectory, "postgresql.auto.conf"));
    }

    /// <summary>
    /// Gives the superuser a password (generated, or the one already in the file) and replaces pg_hba.conf with the
    /// runner's, then waits until the server has re-read it. Runs while the old rules still let the runner in.
    /// </summary>
    private void Upgrade(int port, TextWriter? log)
    {
        log?.WriteLine($"upgrading the embedded cluster in {DataDirectory} to password logins ({PasswordFile})");
        var password = ReadSecret(PasswordFile) ?? CreateSecret(PasswordFile);
        using var connection = Open(port, "postgres");
        Execute(connection, $"alter role {SuperUser} with password '{password.Replace("'", "''", StringComparison.Ordinal)}'");
        var loadedBefore = (DateTime)Scalar(connection, "select pg_conf_load_time()")!;
        WriteHba(PostgresBinaries.Locate());
        Execute(connection, "select pg_reload_conf()");
        // The reload is asynchronous; a new session's pg_conf_load_time is the postmaster's, which moves once it has
        // read the new pg_hba.conf.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var probe = Open(port, "postgres");
            if ((DateTime)Scalar(probe, "select pg_conf_load_time()")! > loadedBefore)
            {
                break;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new WarehouseException($"the embedded cluster did not reload {HbaFile} within 30 s (log: {LogFile})");
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>Creates the warehouse database when missing, and restricts the cluster's own (<see cref="RestrictClusterDatabases"/>).</summary>
    private void EnsureDatabase(int port, string databaseName)
    {
        using var connection = Open(port, "postgres");
        using var exists = new Npgsql.NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", databaseName);
        if (exists.ExecuteScalar() is null)
        {
            Execute(connection, $"create database {databaseName}");
        }
        Execute(connection, RestrictClusterDatabases);
    }

    private Npgsql.NpgsqlConnection Open(int port, string database)
    {
        var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperUser,
            Password = Password(),
            Database = database,
            Pooling = false,
        }.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.InvalidPassword)
        {
            connection.Dispose();
            throw new WarehouseException(
                $"the embedded cluster refused the password in {PasswordFile} ({e.MessageText}); restore the file, or move {_root} away to start afresh");
        }
    }

    private static void Execute(Npgsql.NpgsqlConnection connection, string sql)
    {
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(Npgsql.NpgsqlConnection connection, string sql)
    {
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private void WriteHba(PostgresBinaries binaries)
    {
        // Overwriting keeps the owner and mode the server gave the file; a new file is handed over below.
        File.WriteAllText(HbaFile, HbaConf);
        binaries.GiveToServerUser(HbaFile);
    }

    /// <summary>The secret in a file, or null when there is none; loosened permissions are put back to 0600.</summary>
    internal static string? ReadSecret(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return File.ReadAllText(path).Trim() is { Length: > 0 } secret ? secret : null;
    }

    /// <summary>
    /// Generates a secret (32 random bytes as hex: safe in URLs and SQL literals) into a new file of mode 0600, created
    /// under a temporary name and moved into place so no reader ever sees half of it.
    /// </summary>
    internal static string CreateSecret(string path)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        WriteNew(temporary, secret);
        try
        {
            File.Move(temporary, path, overwrite: false);
            return secret;
        }
        catch (IOException) when (File.Exists(path))
        {
            // another process made it first: use theirs, so both agree with what the server was given
            File.Delete(temporary);
            return ReadSecret(path)!;
        }
    }

    /// <summary>Writes a new file that only its owner can read: the mode is set at creation, never loosened after.</summary>
    private static void WriteNew(string path, string text)
    {
        File.Delete(path); // a leftover of a killed run: CreateNew below then sets the mode afresh
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>The port kept in <see cref="PortFile"/>, or a free one chosen now and kept; one clear line when it is taken.</summary>
    private int KeptPort()
    {
        if (File.Exists(PortFile) && int.TryParse(File.ReadAllText(PortFile).Trim(), out var kept))
        {
            if (!IsFreeLoopbackPort(kept))
            {
                throw new WarehouseException($"the embedded cluster's port {kept} (kept in {PortFile}) is taken by another process: " +
                    $"stop that process, or delete {PortFile} to have a new port chosen (saved connections then need the new one)");
            }
            return kept;
        }
        var port = FreeLoopbackPort();
        File.WriteAllText(PortFile, $"{port}\n");
        return port;
    }

    /// <summary>Whether PostgreSQL could listen on the port: bound as it binds, with SO_REUSEADDR (connections of a
    /// server that just died may linger in TIME_WAIT on it).</summary>
    private static bool IsFreeLoopbackPort(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
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

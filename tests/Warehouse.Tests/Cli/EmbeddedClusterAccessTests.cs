using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Warehouse.Core.Database;

namespace Warehouse.Tests.Cli;

/// <summary>
/// Who may log in to the embedded cluster: only who holds the generated password (kept in a 0600 file), over loopback
/// only; and a cluster made before passwords (trust authentication) is upgraded in place with its data.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes; the embedded cluster is Linux-only anyway
[Trait("Speed", "slow")] // the CLI as a process
public sealed class EmbeddedClusterAccessTests : IClassFixture<EmbeddedClusterAccessTests.Cluster>
{
    private readonly Cluster _cluster;

    public EmbeddedClusterAccessTests(Cluster cluster) => _cluster = cluster;

    /// <summary>One embedded cluster of its own under /tmp (WAREHOUSE_HOME/pg, as the CLI lays it out), for the class.</summary>
    public sealed class Cluster : IDisposable
    {
        public string Home { get; } = Path.Combine(Path.GetTempPath(), $"warehouse-access-{Guid.NewGuid():N}");
        public EmbeddedPostgres Postgres { get; }
        public string Url { get; }

        public Cluster()
        {
            Postgres = new EmbeddedPostgres(Path.Combine(Home, "pg"), ["fsync=off"]);
            Url = Postgres.Start();
        }

        public void Dispose() => StopAndDelete(Postgres, Home);
    }

    private static void StopAndDelete(EmbeddedPostgres postgres, string folder)
    {
        NpgsqlConnection.ClearAllPools();
        postgres.Stop();
        Directory.Delete(folder, recursive: true);
    }

    private static string WithPassword(string url, string? password) =>
        new NpgsqlConnectionStringBuilder(ConnectionUrl.ToConnectionString(url)) { Password = password, Pooling = false }.ConnectionString;

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }

    /// <summary>psql with no password anywhere (never prompting): its exit code and error.</summary>
    private static async Task<(int ExitCode, string Stderr)> PsqlWithoutPasswordAsync(string url)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionUrl.ToConnectionString(url));
        var start = new ProcessStartInfo("psql", ["-X", "-w", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture),
            "-U", builder.Username!, "-d", builder.Database!, "-tAc", "select 1"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment.Remove("PGPASSWORD");
        start.Environment["PGPASSFILE"] = "/dev/null";
        using var psql = Process.Start(start)!;
        var stderr = psql.StandardError.ReadToEndAsync();
        await psql.StandardOutput.ReadToEndAsync();
        await psql.WaitForExitAsync();
        return (psql.ExitCode, await stderr);
    }

    [Fact]
    public async Task Login_WithoutPassword_IsRefused()
    {
        var psql = await PsqlWithoutPasswordAsync(_cluster.Url);
        Assert.NotEqual(0, psql.ExitCode);
        Assert.Contains("password", psql.Stderr);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(WithPassword(_cluster.Url, null), "select 1"));
    }

    [Fact]
    public async Task Login_WithAWrongPassword_IsRefused()
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(WithPassword(_cluster.Url, "guessed"), "select 1"));

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
    }

    [Fact]
    public async Task PasswordFile_IsReadableByItsOwnerOnlyAndHoldsThePassword()
    {
        var file = _cluster.Postgres.PasswordFile;

        Assert.Equal(Path.Combine(_cluster.Home, "pg", "password"), file);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("1", await ScalarAsync(WithPassword(_cluster.Url, File.ReadAllText(file).Trim()), "select 1"));
    }

    [Fact]
    public async Task ServerRules_AcceptPasswordLoginsOverLoopbackOnly()
    {
        var connection = ConnectionUrl.ToConnectionString(_cluster.Url);

        Assert.Equal("0", await ScalarAsync(connection,
            "select count(*) from pg_hba_file_rules where auth_method <> 'scram-sha-256' or type <> 'host' or error is not null"));
        Assert.Equal("127.0.0.1/32,::1/128", await ScalarAsync(connection,
            "select string_agg(address || '/' || masklen(netmask::inet), ',' order by line_number) from pg_hba_file_rules"));
    }

    [Fact]
    public async Task Server_ListensOnLoopbackOnlyWithoutUnixSocket()
    {
        var connection = ConnectionUrl.ToConnectionString(_cluster.Url);
        var port = new NpgsqlConnectionStringBuilder(connection).Port;

        Assert.Equal("127.0.0.1", await ScalarAsync(connection, "show listen_addresses"));
        Assert.Equal("", await ScalarAsync(connection, "show unix_socket_directories"));
        // The kernel's own list of listening sockets (state 0A) on the server's port: 127.0.0.1 (0100007F) only.
        var listening = File.ReadLines("/proc/net/tcp").Concat(File.ReadLines("/proc/net/tcp6"))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 3 && fields[3] == "0A" && fields[1].EndsWith(":" + port.ToString("X4", CultureInfo.InvariantCulture), StringComparison.Ordinal))
            .Select(fields => fields[1])
            .ToList();
        Assert.Equal([$"0100007F:{port:X4}"], listening);
    }

    [Fact]
    public async Task DbUrl_PrintsAUrlWithThePasswordThatConnects_AndStatusMasksIt()
    {
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _cluster.Home };

        var url = await Infrastructure.Cli.RunAsync(["db", "url"], environment);
        var status = await Infrastructure.Cli.RunAsync(["db", "status"], environment);

        Assert.True(url.ExitCode == 0, url.ToString());
        Assert.Equal(_cluster.Url, url.Stdout.Trim());
        Assert.Equal("warehouse", await ScalarAsync(ConnectionUrl.ToConnectionString(url.Stdout.Trim()), "select current_database()"));
        Assert.StartsWith("running: postgresql://warehouse:***@127.0.0.1:", status.Stdout);
        Assert.DoesNotContain(File.ReadAllText(_cluster.Postgres.PasswordFile).Trim(), status.Stdout);
    }

    [Fact]
    public async Task Serve_OnTheEmbeddedCluster_LogsInAsTheApiRoleWithAGeneratedPassword()
    {
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = _cluster.Home };
        var migrate = await Infrastructure.Cli.RunAsync(["migrate"], environment);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "warehouse.dll"), "serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["WAREHOUSE_ROOT"] = Infrastructure.TestDatabase.RepoRoot;
        start.Environment["WAREHOUSE_HOME"] = _cluster.Home;
        start.Environment.Remove("WAREHOUSE_DATABASE_URL");
        start.Environment.Remove("WAREHOUSE_API_PASSWORD");
        using var serve = Process.Start(start)!;
        try
        {
            var stderr = serve.StandardError.ReadToEndAsync();
            string? line;
            while ((line = await serve.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1))) is not null && !line.StartsWith("serving", StringComparison.Ordinal))
            {
            }
            if (line is null)
            {
                await serve.WaitForExitAsync();
                Assert.Fail($"serve ended: {await stderr}");
            }

            using var http = new HttpClient();
            var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
            Assert.True(health.IsSuccessStatusCode, await health.Content.ReadAsStringAsync());
            var apiPassword = Path.Combine(_cluster.Home, "pg", "api-password");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(apiPassword));
            var asApi = new NpgsqlConnectionStringBuilder(ConnectionUrl.ToConnectionString(_cluster.Url))
            {
                Username = "warehouse_api",
                Password = File.ReadAllText(apiPassword).Trim(),
                Pooling = false,
            };
            Assert.Equal("warehouse_api", await ScalarAsync(asApi.ConnectionString, "select current_user"));
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DbUrl_OnAClusterMadeBeforePasswords_UpgradesItInPlaceAndKeepsItsData(bool runningAlready)
    {
        var home = Path.Combine(Path.GetTempPath(), $"warehouse-legacy-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string> { ["WAREHOUSE_HOME"] = home };
        var postgres = new EmbeddedPostgres(Path.Combine(home, "pg"), ["fsync=off"]);
        try
        {
            var url = postgres.Start();
            await ScalarAsync(ConnectionUrl.ToConnectionString(url), "create table kept as select g as id from generate_series(1, 1000) as g");
            await MakeAsBeforePasswordsAsync(postgres, url);
            if (runningAlready)
            {
                var port = StartAsBefore(postgres);
                // as before: the trust rules let anyone in without a password
                Assert.Equal("1000", await ScalarAsync($"Host=127.0.0.1;Port={port};Username=warehouse;Database=warehouse;Pooling=false",
                    "select count(*) from kept"));
                var status = await Infrastructure.Cli.RunAsync(["db", "status"], environment);
                Assert.True(status.ExitCode == 0, status.ToString());
                Assert.Equal($"running: postgresql://warehouse:***@127.0.0.1:{port}/warehouse", status.Stdout.Trim());
            }

            var upgraded = await Infrastructure.Cli.RunAsync(["db", "url"], environment);

            Assert.True(upgraded.ExitCode == 0, upgraded.ToString());
            Assert.Contains("upgrading the embedded cluster", upgraded.Stderr);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(postgres.PasswordFile));
            Assert.Equal("1000", await ScalarAsync(ConnectionUrl.ToConnectionString(upgraded.Stdout.Trim()), "select count(*) from kept"));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(WithPassword(upgraded.Stdout.Trim(), null), "select 1"));
            Assert.NotEqual(0, (await PsqlWithoutPasswordAsync(upgraded.Stdout.Trim())).ExitCode);
            Assert.Equal(EmbeddedPostgres.HbaConf, File.ReadAllText(Path.Combine(postgres.Root, "data", "pg_hba.conf")));
        }
        finally
        {
            StopAndDelete(postgres, home);
        }
    }

    /// <summary>
    /// Puts a cluster back in the state the runner used to leave it in: initdb's trust rules, a superuser without a
    /// password, no password file; stopped.
    /// </summary>
    private static async Task MakeAsBeforePasswordsAsync(EmbeddedPostgres postgres, string url)
    {
        await ScalarAsync(ConnectionUrl.ToConnectionString(url), "alter role warehouse with password null");
        File.WriteAllText(Path.Combine(postgres.Root, "data", "pg_hba.conf"), """
            local   all             all                                     trust
            host    all             all             127.0.0.1/32            trust
            host    all             all             ::1/128                 trust
            local   replication     all                                     trust
            host    replication     all             127.0.0.1/32            trust
            host    replication     all             ::1/128                 trust

            """);
        File.Delete(postgres.PasswordFile);
        NpgsqlConnection.ClearAllPools();
        postgres.Stop();
    }

    /// <summary>Starts the server as the runner used to, without the upgrade that <see cref="EmbeddedPostgres.Start"/> now does.</summary>
    private static int StartAsBefore(EmbeddedPostgres postgres)
    {
        var data = Path.Combine(postgres.Root, "data");
        // any free port: the runner reads it back from postmaster.pid
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var result = PostgresBinaries.Locate().Run("pg_ctl", ["-D", data, "-l", Path.Combine(postgres.Root, "server.log"),
            "-o", $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off", "-w", "start"]);
        Assert.True(result.ExitCode == 0, result.Output);
        return port;
    }
}

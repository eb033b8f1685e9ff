using System.Diagnostics;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Migrations;

namespace Warehouse.Tests.Infrastructure;

/// <summary>Where the tests' PostgreSQL runs (see <see cref="TestDatabase.ChooseLane"/>).</summary>
public enum TestLane
{
    /// <summary>WAREHOUSE_TEST_DATABASE_URL: a server someone else runs.</summary>
    Url,
    /// <summary>A throwaway cluster under /tmp, as <c>./warehouse run</c> makes (<see cref="EmbeddedPostgres"/>).</summary>
    Embedded,
    /// <summary>A PostgreSQL container started by Testcontainers (<see cref="PostgresContainerLane"/>).</summary>
    Container,
}

/// <summary>
/// One PostgreSQL server for the whole test run, started on first use and removed when the run ends; which one is the
/// lane (<see cref="ChooseLane"/>). Each test class asks for its own database: <see cref="CreateEmptyAsync"/> (nothing
/// in it) or <see cref="CreateMigratedAsync"/> (the project's migrations applied, copied from a template database
/// migrated once per run).
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<string> ServerConnectionString = new(StartServer, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static EmbeddedPostgres? _startedCluster;
    private static Testcontainers.PostgreSql.PostgreSqlContainer? _startedContainer;

    /// <summary>The lane this run's server was started in (starting it when it is not yet).</summary>
    public static TestLane Lane
    {
        get
        {
            _ = ServerConnectionString.Value;
            return _lane;
        }
    }
    private static TestLane _lane;
    private const string TemplateName = "warehouse_template";

    public static string RepoRoot { get; } = FindRepoRoot();
    public static string MigrationsDirectory => Path.Combine(RepoRoot, "migrations");

    /// <summary>The text of one project migration, found by file name in whichever layer folder holds it.</summary>
    public static string MigrationText(string fileName) =>
        File.ReadAllText(Directory.GetFiles(MigrationsDirectory, fileName, SearchOption.AllDirectories).Single());
    /// <summary>
    /// The shared real data sets, read in place: WAREHOUSE_SHARED_DATA, else ../shared/data beside the checkout, else
    /// /work/shared/data (where a checkout in another folder, such as a git worktree, still finds them).
    /// </summary>
    public static string SharedData { get; } = FindSharedData();

    private static string FindSharedData()
    {
        string[] candidates =
        [
            Environment.GetEnvironmentVariable("WAREHOUSE_SHARED_DATA") ?? "",
            Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data")),
            "/work/shared/data",
        ];
        return candidates.FirstOrDefault(c => c.Length > 0 && Directory.Exists(c))
            ?? throw new InvalidOperationException("shared data not found: set WAREHOUSE_SHARED_DATA to the folder holding perx/, apache/ and avro/");
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public static async Task<string> CreateEmptyAsync(string prefix)
    {
        var name = UniqueName(prefix);
        await AdminExecuteAsync($"create database {name}");
        return For(name);
    }

    /// <summary>A new database with every migration in migrations/ applied.</summary>
    public static async Task<string> CreateMigratedAsync(string prefix)
    {
        var name = UniqueName(prefix);
        var copy = await MigratedTemplateAsync();
        // Copies of one template may be made side by side: CREATE DATABASE only shares a lock on its template.
        await AdminExecuteAsync($"create database {name} template {TemplateName}{copy}");
        await CopyDatabasePrivilegesAsync(TemplateName, name);
        return For(name);
    }

    private static Task<string>? _migratedTemplate;

    /// <summary>
    /// Migrates the template database once per run; returns how to copy it. FILE_COPY (PostgreSQL 15 and later) copies
    /// the files instead of writing every page of them to the WAL, which costs less for a template of a few megabytes.
    /// </summary>
    private static async Task<string> MigratedTemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            return await (_migratedTemplate ??= MigrateTemplateAsync());
        }
        catch
        {
            _migratedTemplate = null;
            throw;
        }
        finally
        {
            TemplateLock.Release();
        }

        static async Task<string> MigrateTemplateAsync()
        {
            await AdminExecuteAsync($"drop database if exists {TemplateName}");
            await AdminExecuteAsync($"create database {TemplateName}");
            // Unpooled: a template may have no open connections while it is copied.
            var template = new NpgsqlConnectionStringBuilder(For(TemplateName)) { Pooling = false }.ConnectionString;
            await new MigrationRunner(template, new MigrationOptions { Directory = MigrationsDirectory }).MigrateAsync(TextWriter.Null);
            var version = await ScalarAsync<string>(For("postgres"), "show server_version_num");
            return int.Parse(version, System.Globalization.CultureInfo.InvariantCulture) >= 150000 ? " strategy file_copy" : "";
        }
    }

    /// <summary>The connection string of a database on the test server.</summary>
    public static string For(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString.Value) { Database = database }.ConnectionString;

    /// <summary>A postgresql:// URL for the CLI's --database option.</summary>
    public static string UrlFor(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var password = string.IsNullOrEmpty(b.Password) ? "" : ":" + Uri.EscapeDataString(b.Password);
        return $"postgresql://{Uri.EscapeDataString(b.Username!)}{password}@{b.Host}:{b.Port}/{b.Database}";
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// CREATE DATABASE ... TEMPLATE copies the contents but not the database's own privileges (CONNECT, TEMPORARY),
    /// which the migrations restrict (V0110): the copy gets the template's grants, as if it had been migrated itself.
    /// </summary>
    private static async Task CopyDatabasePrivilegesAsync(string from, string to) => await AdminExecuteAsync($$"""
        do $$
        declare
            privilege record;
        begin
            execute format('revoke all on database %I from public', '{{to}}');
            for privilege in
                select acl.privilege_type, case when acl.grantee = 0 then 'public' else acl.grantee::regrole::text end as grantee
                from pg_database, aclexplode(coalesce(datacl, acldefault('d', datdba))) as acl
                where datname = '{{from}}'
            loop
                execute format('grant %s on database %I to %s', privilege.privilege_type, '{{to}}', privilege.grantee);
            end loop;
        end
        $$
        """);

    private static async Task AdminExecuteAsync(string sql) => await ExecuteAsync(For("postgres"), sql);

    private static string UniqueName(string prefix)
    {
        // PostgreSQL names stop at 63 bytes; 48 leaves room and keeps the test's name readable in psql.
        var name = $"t_{new string(prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30).ToArray())}_{Guid.NewGuid():N}";
        return name[..Math.Min(48, name.Length)];
    }

    /// <summary>
    /// WAREHOUSE_TEST_DATABASE_URL, when set, names the server. Otherwise WAREHOUSE_TEST_DATABASE chooses: <c>embedded</c>,
    /// <c>container</c> (which fails, saying why, when it cannot run), or unset: a container when a Docker engine answers
    /// and the image is at hand, else the embedded cluster, so a machine without Docker runs every test all the same.
    /// </summary>
    public static TestLane ChooseLane(string? url, string? lane, Func<string?> containerUnavailableReason) =>
        (url, lane) switch
        {
            ({ Length: > 0 }, _) => TestLane.Url,
            (_, null or "") => containerUnavailableReason() is null ? TestLane.Container : TestLane.Embedded,
            (_, "embedded") => TestLane.Embedded,
            (_, "container") => containerUnavailableReason() is { } reason
                ? throw new InvalidOperationException($"WAREHOUSE_TEST_DATABASE=container, but {reason}")
                : TestLane.Container,
            _ => throw new InvalidOperationException($"WAREHOUSE_TEST_DATABASE is '{lane}'; expected embedded or container"),
        };

    private static string StartServer()
    {
        var url = Environment.GetEnvironmentVariable("WAREHOUSE_TEST_DATABASE_URL");
        _lane = ChooseLane(url, Environment.GetEnvironmentVariable("WAREHOUSE_TEST_DATABASE"), () => PostgresContainerLane.UnavailableReason);
        switch (_lane)
        {
            case TestLane.Url:
                return ConnectionUrl.ToConnectionString(url!, "warehouse-tests");
            case TestLane.Container:
                // Task.Run: no test's synchronisation context to block on.
                return Task.Run(async () =>
                {
                    await PostgresContainerLane.RemoveContainersOfEndedRunsAsync();
                    var clock = Stopwatch.StartNew();
                    (_startedContainer, var connectionString) = await PostgresContainerLane.StartAsync();
                    Console.WriteLine($"test database: a container of {PostgresContainerLane.Image} ({_startedContainer.Id[..12]}) " +
                        $"on {_startedContainer.Hostname}:{_startedContainer.GetMappedPublicPort(5432)}, ready in {clock.Elapsed.TotalSeconds:0.0} s");
                    return connectionString;
                }).GetAwaiter().GetResult();
        }
        RemoveClustersOfEndedRuns();
        var root = Path.Combine(Path.GetTempPath(), $"warehouse-tests-{Environment.ProcessId}");
        // Throwaway data: durability buys nothing here, so skip fsync for speed.
        var cluster = new EmbeddedPostgres(root, ["fsync=off", "full_page_writes=off", "max_connections=400"]);
        var clock = Stopwatch.StartNew();
        var serverUrl = cluster.Start();
        Console.WriteLine($"test database: the embedded cluster in {root}, ready in {clock.Elapsed.TotalSeconds:0.0} s");
        _startedCluster = cluster;
        return ConnectionUrl.ToConnectionString(serverUrl, "warehouse-tests");
    }

    /// <summary>
    /// Stops and removes the throwaway cluster or container, if this run started one. Called when the test run ends
    /// (<see cref="WarehouseTestFramework"/>), not from AppDomain.ProcessExit: dotnet test kills an ended test host 100 ms
    /// after asking it to exit, and clearing the pools, pg_ctl stop and the delete take seconds after the full suite.
    /// </summary>
    internal static void StopServer()
    {
        NpgsqlConnection.ClearAllPools();
        if (Interlocked.Exchange(ref _startedContainer, null) is { } container)
        {
            // Disposing removes the container (Ryuk, which would otherwise, is off).
            Task.Run(async () => await container.DisposeAsync()).GetAwaiter().GetResult();
        }
        if (Interlocked.Exchange(ref _startedCluster, null) is { } cluster)
        {
            StopAndDelete(cluster);
        }
    }

    /// <summary>A run may end before it stops its cluster (killed, crashed); a later run removes what it left (its process is gone).</summary>
    private static void RemoveClustersOfEndedRuns()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "warehouse-tests-*"))
        {
            if (!int.TryParse(Path.GetFileName(folder)["warehouse-tests-".Length..], out var pid) || IsAlive(pid))
            {
                continue;
            }
            StopAndDelete(new EmbeddedPostgres(folder));
        }
    }

    /// <summary>
    /// Best effort: a folder left under /tmp is harmless (a later run removes it), and one that will not go is not ours
    /// to fight over.
    /// </summary>
    private static void StopAndDelete(EmbeddedPostgres cluster)
    {
        try
        {
            cluster.Stop();
            Directory.Delete(cluster.Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Warehouse.Core.WarehouseException)
        {
            // left for a later run
        }
    }

    internal static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Warehouse.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Warehouse.sln not found above " + AppContext.BaseDirectory);
    }
}

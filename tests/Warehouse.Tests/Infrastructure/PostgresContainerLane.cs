using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using DotNet.Testcontainers.Configurations;
using Testcontainers.PostgreSql;
using Warehouse.Core.Database;

namespace Warehouse.Tests.Infrastructure;

/// <summary>
/// The container lane: the tests' PostgreSQL is a container that Testcontainers starts from
/// <c>WAREHOUSE_TEST_POSTGRES_IMAGE</c>; by default the image <c>./warehouse test</c> builds locally (no registry is
/// needed), while a team with a registry may name e.g. <c>postgres:16</c>. The server gets the embedded cluster's
/// settings, so a test cannot tell the lanes apart by anything but the server's address and data folder.
/// </summary>
public static class PostgresContainerLane
{
    public const string DefaultImage = "warehouse-test-postgres:15";

    /// <summary>"host/pid" of the test run that started a container: a later run removes those whose process is gone.</summary>
    private const string RunLabel = "warehouse.tests.run";
    private static readonly string ThisRun = $"{Environment.MachineName}/{Environment.ProcessId}";

    private static readonly Lazy<string?> CachedUnavailableReason = new(
        () => Task.Run(UnavailableReasonAsync).GetAwaiter().GetResult(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Testcontainers reads its settings from the environment once, on first use; these defaults make it work against a
    /// local engine without a registry. Anything already set wins.
    /// </summary>
    static PostgresContainerLane()
    {
        // Debian's engine (20.10) speaks API 1.41, older than the client library asks for; newer engines accept it too.
        SetDefault("DOCKER_API_VERSION", "1.41");
        // Ryuk, the library's reaper, is an image to pull: off, and this run removes its containers itself.
        SetDefault("TESTCONTAINERS_RYUK_DISABLED", "true");
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is null or "" || Environment.GetEnvironmentVariable("DOCKER_HOST")!.StartsWith("unix://", StringComparison.Ordinal))
        {
            // Inside a container (a /.dockerenv) the library would use the bridge gateway; the published ports are on loopback.
            SetDefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        }
    }

    public static string Image =>
        Environment.GetEnvironmentVariable("WAREHOUSE_TEST_POSTGRES_IMAGE") is { Length: > 0 } image ? image : DefaultImage;

    /// <summary>
    /// Why the container lane cannot run here, or null when it can: a Docker engine must answer, and the image must be
    /// at hand, unless <c>WAREHOUSE_TEST_DATABASE=container</c> asks for it (then the engine may pull it from a registry).
    /// Asked once per test run.
    /// </summary>
    public static string? UnavailableReason => CachedUnavailableReason.Value;

    private static async Task<string?> UnavailableReasonAsync()
    {
        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not { } endpoint)
        {
            return "no Docker engine found";
        }
        using var client = endpoint.GetDockerClientBuilder(Guid.Empty).WithTimeout(TimeSpan.FromSeconds(10)).Build();
        try
        {
            await client.System.PingAsync();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException or TimeoutException or OperationCanceledException)
        {
            return $"the Docker engine at {endpoint.Endpoint} does not answer ({e.Message})";
        }
        try
        {
            await client.Images.InspectImageAsync(Image);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            if (Environment.GetEnvironmentVariable("WAREHOUSE_TEST_DATABASE") != "container")
            {
                return $"the image {Image} is not here (./warehouse test builds {DefaultImage})";
            }
        }
        return null;
    }

    /// <summary>A PostgreSQL container of its own, started and ready; the caller disposes it (which removes it).</summary>
    public static async Task<(PostgreSqlContainer Container, string ConnectionString)> StartAsync()
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        // Every server setting as "-c name=value"; Testcontainers adds fsync=off, full_page_writes=off and
        // synchronous_commit=off, as the embedded test cluster runs; max_connections as TestDatabase gives its cluster.
        var settings = EmbeddedPostgres.ServerSettings.Append((Name: "max_connections", Value: "400"))
            .SelectMany(s => new[] { "-c", $"{s.Name}={s.Value}" })
            .ToArray();
        var container = new PostgreSqlBuilder(Image)
            .WithUsername(EmbeddedPostgres.SuperUser)
            .WithPassword(password)
            .WithDatabase("postgres")
            .WithCommand(settings)
            .WithLabel(RunLabel, ThisRun)
            // The library logs every readiness probe to the console; TestDatabase says in one line what it started.
            .WithLogger(NullLogger.Instance)
            // Parallel queries use /dev/shm, 64 MB by default in a container: too little for work_mem = 256MB.
            .WithCreateParameterModifier(parameters =>
            {
                parameters.HostConfig ??= new HostConfig();
                parameters.HostConfig.ShmSize = 1L << 30;
            })
            .Build();
        try
        {
            await container.StartAsync();
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
        var url = $"postgresql://{EmbeddedPostgres.SuperUser}:{password}@{container.Hostname}:{container.GetMappedPublicPort(5432)}/postgres";
        var connectionString = ConnectionUrl.ToConnectionString(url, "warehouse-tests");
        // as the embedded cluster does on every start
        await TestDatabase.ExecuteAsync(connectionString, EmbeddedPostgres.RestrictClusterDatabases);
        return (container, connectionString);
    }

    /// <summary>
    /// A run may end before it removes its container (killed, crashed): removes those of this machine's runs whose
    /// process is gone. Best effort, as for the embedded clusters under /tmp.
    /// </summary>
    public static async Task RemoveContainersOfEndedRunsAsync()
    {
        if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not { } endpoint)
        {
            return;
        }
        using var client = endpoint.GetDockerClientBuilder(Guid.Empty).WithTimeout(TimeSpan.FromSeconds(30)).Build();
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [RunLabel] = true } },
        });
        foreach (var container in containers)
        {
            var run = container.Labels[RunLabel].Split('/');
            if (run.Length == 2 && run[0] == Environment.MachineName && int.TryParse(run[1], out var pid) && !TestDatabase.IsAlive(pid))
            {
                try
                {
                    await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
                }
                catch (DockerApiException)
                {
                    // already going, or another run removes it
                }
            }
        }
    }

    private static void SetDefault(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}

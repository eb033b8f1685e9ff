using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Warehouse.Core.Database;

namespace Warehouse.Tests.Cli;

/// <summary>The embedded cluster keeps its port across restarts, so a saved connection (a BI tool's) keeps working.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class EmbeddedClusterPortTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"warehouse-port-{Guid.NewGuid():N}");

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        new EmbeddedPostgres(Path.Combine(_home, "pg")).Stop();
        Directory.Delete(_home, recursive: true);
    }

    private Dictionary<string, string> Environment => new() { ["WAREHOUSE_HOME"] = _home };

    private static int PortOf(string url) => new Uri(url).Port;

    [Fact]
    public async Task Port_IsTheSameAfterDbStopAndStartAndAfterTheServerWasKilled()
    {
        var first = await Infrastructure.Cli.RunAsync(["db", "url"], Environment);
        var stop = await Infrastructure.Cli.RunAsync(["db", "stop"], Environment);
        var afterStop = await Infrastructure.Cli.RunAsync(["db", "url"], Environment);
        // a machine restart, as the cluster sees it: every server process gone without a shutdown
        var pid = int.Parse(File.ReadLines(Path.Combine(_home, "pg", "data", "postmaster.pid")).First());
        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill(entireProcessTree: true);
            await postmaster.WaitForExitAsync();
        }
        var afterKill = await Infrastructure.Cli.RunAsync(["db", "url"], Environment);

        Assert.True(first.ExitCode == 0 && stop.ExitCode == 0 && afterStop.ExitCode == 0 && afterKill.ExitCode == 0,
            string.Join("\n", first, stop, afterStop, afterKill));
        var port = PortOf(first.Stdout.Trim());
        Assert.Equal(port, PortOf(afterStop.Stdout.Trim()));
        Assert.Equal(port, PortOf(afterKill.Stdout.Trim()));
        Assert.Equal($"{port}", File.ReadAllText(Path.Combine(_home, "pg", "port")).Trim());
    }

    [Fact]
    public async Task Start_WhenTheKeptPortIsTaken_SaysSoInOneLine()
    {
        var cluster = new EmbeddedPostgres(Path.Combine(_home, "pg"));
        var port = PortOf(cluster.Start());
        cluster.Stop();
        NpgsqlConnection.ClearAllPools();
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        var start = await Infrastructure.Cli.RunAsync(["db", "start"], Environment);

        Assert.Equal(1, start.ExitCode);
        var line = Assert.Single(start.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"port {port}", line);
        Assert.Contains("is taken by another process", line);
        squatter.Stop();
        Assert.Equal(port, PortOf(cluster.Start()));
    }
}

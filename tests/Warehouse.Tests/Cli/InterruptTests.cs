using System.Diagnostics;
using Npgsql;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Cli;

/// <summary>Ctrl-C (SIGINT) sent to the real warehouse process while its statement runs on the server.</summary>
[Trait("Speed", "slow")] // the CLI as a process
public sealed class InterruptTests
{
    [Fact]
    public async Task Refresh_InterruptedWhileItsStatementRunsOnTheServer_SaysInterruptedExits130AndLeavesNoQueryBehind()
    {
        var db = await TestDatabase.CreateMigratedAsync(nameof(Refresh_InterruptedWhileItsStatementRunsOnTheServer_SaysInterruptedExits130AndLeavesNoQueryBehind));
        var database = new NpgsqlConnectionStringBuilder(db).Database!;
        // Another session holds the refresh lock, so the refresh's statement waits on the server (its "wait for another
        // refresh" step) for as long as the test likes: a statement that would run on for ever if it were not cancelled.
        await using var holder = new NpgsqlConnection(db);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockState = new NpgsqlCommand("lock table core.refresh_state in exclusive mode", holder, transaction))
        {
            await lockState.ExecuteNonQueryAsync();
        }

        using var refresh = Start("refresh", "--database", TestDatabase.UrlFor(db));
        var stderr = refresh.StandardError.ReadToEndAsync();
        var stdout = refresh.StandardOutput.ReadToEndAsync();
        await WaitUntilAsync(async () => await RefreshBackendsAsync(database, waitingOnLock: true) > 0 || refresh.HasExited,
            "the refresh waits on the lock");
        if (refresh.HasExited)
        {
            Assert.Fail($"the refresh ended before it was interrupted: exit {refresh.ExitCode}\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        using (var kill = Process.Start("kill", ["-INT", refresh.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await refresh.WaitForExitAsync(timeout.Token);

        var output = $"exit {refresh.ExitCode}\nstdout:\n{await stdout}\nstderr:\n{await stderr}";
        Assert.True(refresh.ExitCode == 130, output);
        Assert.Equal(["interrupted"], (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The lock is still held: a statement that was not cancelled would still be waiting on it.
        await WaitUntilAsync(async () => await RefreshBackendsAsync(database, waitingOnLock: false) == 0,
            "no backend of the refresh is left on the server");
    }

    /// <summary>The warehouse process (application_name "warehouse") as a child, with SIGINT at its default action even when
    /// the test runner was started with SIGINT ignored (as a background job of a shell is).</summary>
    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestDatabase.RepoRoot,
        };
        foreach (var argument in (string[])["--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "warehouse.dll"), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["WAREHOUSE_ROOT"] = TestDatabase.RepoRoot;
        start.Environment.Remove("WAREHOUSE_DATABASE_URL");
        return Process.Start(start)!;
    }

    /// <summary>Backends of the warehouse process on the database, read on a connection of its own (pg_stat_activity is a
    /// snapshot taken once per transaction, so the lock holder's transaction would keep seeing the first answer).</summary>
    private static async Task<long> RefreshBackendsAsync(string database, bool waitingOnLock)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.For("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            select count(*) from pg_stat_activity
            where datname = @database and application_name = 'warehouse'{(waitingOnLock ? " and wait_event_type = 'Lock'" : "")}
            """, connection);
        command.Parameters.AddWithValue("database", database);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }
}

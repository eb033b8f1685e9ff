using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Npgsql;
using Warehouse.Core;

namespace Warehouse.Cli;

/// <summary>Runs the parsed command and turns every failure into one line on stderr and a non-zero exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }
            await Console.Error.WriteLineAsync("run with --help for usage");
            return ExitCodes.Usage;
        }
        using var interrupt = new CancellationTokenSource();
        var takesToken = parseResult.Action is AsynchronousCommandLineAction;
        var interrupts = 0;
        // Ctrl-C cancels the command's token, and the process waits for the command to stop: Npgsql cancels a statement
        // on the server when its token fires, so nothing keeps running there after we exit. A second Ctrl-C, or one
        // during a command that takes no token, ends the process at once (the default).
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            if (Interlocked.Increment(ref interrupts) == 1 && takesToken)
            {
                context.Cancel = true;
                _ = interrupt.CancelAsync();
                return;
            }
            ConsoleProgress.ClearLine();
            Console.Error.WriteLine("interrupted");
        });
        try
        {
            // ProcessTerminationTimeout = null: the handler above replaces System.CommandLine's own, which would end the
            // process 2 s after Ctrl-C whether or not the command (and its statements on the server) had stopped.
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupt.Token);
        }
        catch (Exception) when (interrupt.IsCancellationRequested)
        {
            // Whatever the cancellation surfaced as (OperationCanceledException, a cancelled statement's error).
            await ErrorAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (Unwrap(e) is WarehouseException user)
        {
            // A message of several lines (several problems found at once) gets "error: " on each.
            await ErrorAsync(string.Join('\n', user.Message.Split('\n').Select(line => $"error: {line}")));
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            await ErrorAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await ErrorAsync($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedTable)
        {
            // Any command but run (which migrates first) on a database the migrations never reached.
            await ErrorAsync($"error: the database has no warehouse tables ({e.MessageText}); run ./warehouse migrate first, with the same --database");
            return ExitCodes.Failed;
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // The server went away mid-command (crash, restart, network): every step commits atomically, so what was not
            // reported done was not kept.
            await ErrorAsync($"error: the connection to the database was lost ({e.InnerException?.Message ?? e.Message}); " +
                "nothing unfinished was kept: run the command again");
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            // An unexpected failure is a bug: still one line, with the stack trace only on request.
            await ErrorAsync($"error: unexpected {e.GetType().Name}: {e.Message}" +
                (Environment.GetEnvironmentVariable("WAREHOUSE_DEBUG") is null ? " (set WAREHOUSE_DEBUG=1 for details)" : ""));
            if (Environment.GetEnvironmentVariable("WAREHOUSE_DEBUG") is not null)
            {
                await Console.Error.WriteLineAsync(e.ToString());
            }
            return ExitCodes.Failed;
        }
    }

    /// <summary>The failure's line, on a line of its own even when a stage's progress was showing on the terminal.</summary>
    private static async Task ErrorAsync(string line)
    {
        ConsoleProgress.ClearLine();
        await Console.Error.WriteLineAsync(line);
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
}

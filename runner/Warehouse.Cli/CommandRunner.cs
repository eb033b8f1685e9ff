using System.CommandLine;
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
        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is WarehouseException user)
        {
            await ErrorAsync($"error: {user.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            await ErrorAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await ErrorAsync($"error: {e.Message}");
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

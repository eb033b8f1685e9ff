using System.Diagnostics;

namespace Warehouse.Core.Database;

/// <summary>
/// The PostgreSQL server programs (initdb, pg_ctl). When the runner is root they run as the <c>postgres</c> system
/// user, because initdb and postgres refuse to run as root.
/// </summary>
internal sealed class PostgresBinaries
{
    private const string ServerUser = "postgres";
    private readonly string _binDirectory;
    private readonly bool _asServerUser;

    private PostgresBinaries(string binDirectory, bool asServerUser)
    {
        _binDirectory = binDirectory;
        _asServerUser = asServerUser;
    }

    public static PostgresBinaries Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("WAREHOUSE_PG_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            // Newest major version first.
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        var bin = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new WarehouseException(
                "PostgreSQL server binaries (initdb, pg_ctl) not found; install them with: apt-get install -y postgresql " +
                "(or pass --database URL to use an existing server)");
        return new PostgresBinaries(bin, Environment.IsPrivilegedProcess);
    }

    public (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        var executable = Path.Combine(_binDirectory, program);
        if (_asServerUser)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", ServerUser, "--", executable])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = executable;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new WarehouseException($"could not start {program}");
        // pg_ctl start leaves the server holding inherited pipes open: read both streams asynchronously and stop
        // waiting for them once the program itself has exited.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(2));
        var output = (stdout.IsCompletedSuccessfully ? stdout.Result : "") + (stderr.IsCompletedSuccessfully ? stderr.Result : "");
        return (process.ExitCode, output);
    }

    /// <summary>Makes a folder usable by the server user, and checks that user can reach it at all.</summary>
    public void PrepareDirectory(string directory)
    {
        if (!_asServerUser)
        {
            return;
        }
        GiveToServerUser(directory);
        var probe = Process.Start(new ProcessStartInfo("runuser", ["-u", ServerUser, "--", "test", "-w", directory])
        {
            RedirectStandardError = true,
        });
        probe!.WaitForExit();
        if (probe.ExitCode != 0)
        {
            throw new WarehouseException(
                $"the '{ServerUser}' user cannot reach {directory} (a parent folder is not traversable, e.g. /root is mode 700); " +
                "set WAREHOUSE_HOME to a folder under /tmp or pass --database URL");
        }
    }

    public void GiveToServerUser(string path)
    {
        if (!_asServerUser)
        {
            return;
        }
        using var chown = Process.Start(new ProcessStartInfo("chown", ["-R", $"{ServerUser}:{ServerUser}", path])
        {
            RedirectStandardError = true,
        });
        chown!.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new WarehouseException($"could not give {path} to the '{ServerUser}' user: {chown.StandardError.ReadToEnd().Trim()}");
        }
    }
}

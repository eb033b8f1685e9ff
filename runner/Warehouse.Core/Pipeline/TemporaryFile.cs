using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Warehouse.Core.Pipeline;

/// <summary>
/// A file written under a temporary name in its final folder and renamed into place when complete, so no reader ever
/// sees half a file (the rename stays on one file system). The name, <c>{stem}.{pid}-{guid}{suffix}.partial</c>, is
/// unique to the process and the write, so two writers never share a file, and a later run can tell a killed process's
/// leftovers (<see cref="RemoveLeftoversOfEndedProcesses"/>).
/// </summary>
public sealed partial class TemporaryFile : IDisposable
{
    private const string Extension = ".partial";

    /// <param name="folder">The folder of the final file.</param>
    /// <param name="stem">The start of the name (a leading dot hides it where users look, as beside convert's output).</param>
    /// <param name="suffix">What follows the unique part, e.g. <c>.avro</c>.</param>
    public TemporaryFile(string folder, string stem, string suffix = "") =>
        Path = System.IO.Path.Combine(folder, $"{stem}.{Environment.ProcessId}-{Guid.NewGuid():N}{suffix}{Extension}");

    public string Path { get; }

    /// <summary>Renames the finished file over <paramref name="finalPath"/>.</summary>
    public void MoveTo(string finalPath) => File.Move(Path, finalPath, overwrite: true);

    /// <summary>Removes the file unless it was moved into place; cleanup must not replace the real error with its own.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file was never created, or cannot be removed: either way there is nothing more to do.
        }
    }

    /// <summary>A process killed mid-write leaves its temporary files; their names carry its id, so they are removed once it has ended.</summary>
    public static void RemoveLeftoversOfEndedProcesses(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*" + Extension))
        {
            if (Owner().Match(System.IO.Path.GetFileName(file)) is { Success: true } owner
                && !IsRunning(int.Parse(owner.Groups[1].Value, CultureInfo.InvariantCulture)))
            {
                File.Delete(file);
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\.(\d+)-[0-9a-f]{32}\.")]
    private static partial Regex Owner();
}

using System.Runtime.InteropServices;

namespace Warehouse.Core.Pipeline;

/// <summary>What a local path names, following symbolic links (the file type of stat(2)).</summary>
public enum FileKind { Missing, Regular, Directory, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// Only regular files are read as inputs: opening a FIFO waits for a writer (a run would hang without a word) and a
/// device never ends. .NET tells a directory from a file but not a FIFO or a device from a regular file, so this asks
/// the kernel with statx(2), whose structure is the same on every Linux architecture.
/// </summary>
public static class LocalFiles
{
    public static FileKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
        }
        if (Statx(AtCurrentDirectory, path, 0, StatxType, out var status) != 0)
        {
            // ENOSYS (a kernel older than 4.11): fall back to what .NET can tell.
            return Marshal.GetLastPInvokeError() == ENOSYS && File.Exists(path) ? FileKind.Regular
                : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        }
        return (status.Mode & FileTypeMask) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
    }

    /// <summary>"a FIFO", "a directory", ...: what a path that is not a regular file is instead.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Missing => "missing, e.g. a broken symbolic link",
        _ => "an unknown kind of file",
    };

    /// <summary>Throws one clear line unless <paramref name="path"/> is a regular file (or a link to one).</summary>
    public static void RequireRegular(string path)
    {
        var kind = KindOf(path);
        if (kind == FileKind.Missing)
        {
            throw new WarehouseException($"{path}: no such file");
        }
        if (kind != FileKind.Regular)
        {
            throw new WarehouseException($"{path}: not a regular file ({Describe(kind)}); only regular files are read");
        }
    }

    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int FileTypeMask = 0xF000;
    private const int ENOSYS = 38;

    /// <summary>struct statx: only the fields read here, at their fixed offsets.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this project does not allow.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);
}

using System.Security.Cryptography;

namespace Warehouse.Core.Load;

public static class FileHash
{
    /// <summary>SHA-256 of a file's bytes, lower-case hex: the identity of a loaded file in the manifest.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

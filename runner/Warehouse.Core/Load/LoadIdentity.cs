using System.Security.Cryptography;
using System.Text;

namespace Warehouse.Core.Load;

/// <summary>
/// What a load is known by in <c>staging.loaded_files</c>. A local file: its name and the SHA-256 of its bytes.
/// A remote object: its location (URL without query string, or s3://bucket/key) and version (ETag, Last-Modified and
/// length, or the SHA-256 of its bytes), hashed together; the same object read again is the same identity however
/// often it is converted, and a changed object is a new one.
/// </summary>
public sealed record LoadIdentity(string FileName, string Hash, string? Version)
{
    public static LoadIdentity OfLocalFile(string path) => new(Path.GetFileName(path), FileHash.Sha256(path), null);

    /// <summary>A raw file known by the hex SHA-256 of the bytes that were converted (the same hash as <see cref="OfLocalFile"/>).</summary>
    public static LoadIdentity OfRawContent(string sourceFile, string sha256) => new(sourceFile, sha256, null);

    public static LoadIdentity OfRemote(string location, string version) =>
        new(location, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{location}\n{version}"))), version);
}

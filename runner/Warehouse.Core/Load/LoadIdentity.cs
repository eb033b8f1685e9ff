using System.Security.Cryptography;
using System.Text;
using Warehouse.Core.Avro;
using Warehouse.Core.Conversion;

namespace Warehouse.Core.Load;

/// <summary>
/// What a load is known by in <c>staging.loaded_files</c>. A local file: its name and the SHA-256 of its bytes.
/// A remote object: its location (URL without query string, or s3://bucket/key) and version (ETag, Last-Modified and
/// length, or the SHA-256 of its bytes), hashed together; the same object read again is the same identity however
/// often it is converted, and a changed object is a new one.
/// </summary>
public sealed record LoadIdentity(string FileName, string Hash, string? Version)
{
    /// <summary>For a plain local raw file converted by run: how many of its bytes and lines this load took in (see V0120).</summary>
    public RawExtent? RawExtent { get; init; }

    public static LoadIdentity OfLocalFile(string path) => new(Path.GetFileName(path), FileHash.Sha256(path), null);

    /// <summary>A raw file known by the hex SHA-256 of the bytes that were converted (the same hash as <see cref="OfLocalFile"/>).</summary>
    public static LoadIdentity OfRawContent(string sourceFile, string sha256) => new(sourceFile, sha256, null);

    /// <summary>
    /// An Avro file made by <c>convert</c> or <c>run</c> is known by the raw content it was converted from (its metadata
    /// holds the hash), whatever its own bytes: two conversions of one raw file load once, and never after a run loaded that
    /// file. Any other Avro file is known by its own bytes.
    /// </summary>
    public static LoadIdentity OfAvroFile(string path)
    {
        using (var header = new AvroContainerReader(File.OpenRead(path), Path.GetFileName(path)))
        {
            if (header.Metadata.TryGetValue(RawConverter.RawSha256Key, out var hashBytes)
                && Encoding.UTF8.GetString(hashBytes) is { Length: 64 } hash && hash.Any(c => c != '0')
                && hash.All(char.IsAsciiHexDigitLower))
            {
                return OfRawContent(Path.GetFileName(path), hash); // named as the user knows it; the hash is the raw file's
            }
        }
        return OfLocalFile(path);
    }

    public static LoadIdentity OfRemote(string location, string version) =>
        new(location, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{location}\n{version}"))), version);
}

/// <summary>How much of a raw file a load took in: its first <paramref name="Bytes"/> bytes, which hold <paramref name="Lines"/>
/// lines (header and blank lines included).</summary>
public sealed record RawExtent(long Bytes, long Lines);

using System.IO.Compression;
using System.Text.RegularExpressions;
using Warehouse.Core.Remote;

namespace Warehouse.Core.Pipeline;

public enum InputKind { Raw, Avro, Mapping, Skipped }

/// <summary>
/// One input the run reads: a local file, an HTTP(S) URL or an S3 object, and what the run does with it.
/// Local files are identified by their content hash (as loaded before remote inputs existed); remote objects by
/// <see cref="Location"/> plus <see cref="IRemoteObject.Version"/>, known before a byte of the body is read.
/// </summary>
public sealed class InputFile
{
    private readonly IRemoteObject? _remote;

    /// <summary>A local file.</summary>
    public InputFile(string path, InputKind kind, string? format)
    {
        Path = path;
        Location = path;
        Name = System.IO.Path.GetFileName(path);
        Kind = kind;
        Format = format;
    }

    /// <summary>A remote object; <paramref name="name"/> is the last segment of its URL path or key.</summary>
    public InputFile(IRemoteObject remote, string name, InputKind kind, string? format)
    {
        _remote = remote;
        Location = remote.Location;
        Name = name;
        Kind = kind;
        Format = format;
    }

    /// <summary>The local path; null for a remote object.</summary>
    public string? Path { get; }

    /// <summary>Where the input lives, safe to print: a path, a URL without user info or query string, or s3://bucket/key.</summary>
    public string Location { get; }

    /// <summary>The file name (last path segment), which decides the kind.</summary>
    public string Name { get; }

    public InputKind Kind { get; }
    public string? Format { get; }
    public IRemoteObject? Remote => _remote;
    public bool IsRemote => _remote is not null;

    /// <summary>The name without a trailing .gz: what the source file is called inside the data.</summary>
    public string SourceName => IsGzip ? Name[..^3] : Name;

    public bool IsGzip => Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens a local file, decompressing .gz while streaming. Remote objects are read through <see cref="RemoteReader"/>.</summary>
    public Stream OpenRead()
    {
        if (Path is null)
        {
            throw new InvalidOperationException($"{Location} is remote: read it with RemoteReader");
        }
        Stream stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return IsGzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    public override string ToString() => Location;
}

/// <summary>Recognises input files by name (a trailing .gz is decompressed while streaming).</summary>
public static partial class InputDiscovery
{
    // Each rule's Names is its pattern as a user reads it (what a run reports as expected when nothing matches).
    private static readonly (Regex Pattern, InputKind Kind, string? Format, string Names)[] Rules =
    [
        (HttpLog(), InputKind.Raw, "http-log", "http_log*.txt"),
        (Mapping(), InputKind.Mapping, null, "campaign_reward_mapping*.csv"),
        (Webshop(), InputKind.Raw, "webshop-events", "webshop_events*.jsonl, events*.json"),
        (Device(), InputKind.Raw, "device-events", "device_events*.jsonl"),
        (Clickstream(), InputKind.Raw, "clickstream-csv", "clickstream*.csv"),
        (Avro(), InputKind.Avro, null, "*.avro"),
    ];

    /// <summary>The recognised names, for messages: <c>http_log*.txt, ..., *.avro (raw files and the mapping also as .gz)</c>.</summary>
    public static string RecognisedNames =>
        string.Join(", ", Rules.Select(r => r.Names)) + " (raw files and the mapping also as .gz)";

    /// <summary>True for http://, https:// and s3:// inputs.</summary>
    public static bool IsRemote(string input) =>
        input.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || input.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || input.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A local folder or file, an http(s) URL of one file, or every object under an s3://bucket/prefix in key order.</summary>
    public static async Task<IReadOnlyList<InputFile>> ScanAsync(string input, RemoteReader remote, CancellationToken ct = default)
    {
        if (!IsRemote(input))
        {
            return Scan(input);
        }
        var objects = await remote.ListAsync(input, ct);
        return objects.Select(o => Classify(o)).ToList();
    }

    public static IReadOnlyList<InputFile> Scan(string directory)
    {
        if (File.Exists(directory))
        {
            return [Classify(directory)];
        }
        if (!Directory.Exists(directory))
        {
            throw new WarehouseException($"input folder not found: {directory}");
        }
        return Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(Classify).ToList();
    }

    public static InputFile Classify(string path)
    {
        var (kind, format) = KindOf(Path.GetFileName(path));
        return new InputFile(path, kind, format);
    }

    public static InputFile Classify(IRemoteObject remote)
    {
        var (kind, format) = KindOf(remote.Name);
        return new InputFile(remote, remote.Name, kind, format);
    }

    private static (InputKind, string?) KindOf(string name)
    {
        var plain = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name;
        foreach (var (pattern, kind, format, _) in Rules)
        {
            if (pattern.IsMatch(plain) && !(kind == InputKind.Avro && plain != name))
            {
                return (kind, format);
            }
        }
        return (InputKind.Skipped, null);
    }

    [GeneratedRegex(@"^http_log.*\.txt$", RegexOptions.IgnoreCase)]
    private static partial Regex HttpLog();
    [GeneratedRegex(@"^campaign_reward_mapping.*\.csv$", RegexOptions.IgnoreCase)]
    private static partial Regex Mapping();
    [GeneratedRegex(@"^(webshop_events.*\.jsonl|events.*\.json)$", RegexOptions.IgnoreCase)]
    private static partial Regex Webshop();
    [GeneratedRegex(@"^device_events.*\.jsonl$", RegexOptions.IgnoreCase)]
    private static partial Regex Device();
    [GeneratedRegex(@"^clickstream.*\.csv$", RegexOptions.IgnoreCase)]
    private static partial Regex Clickstream();
    [GeneratedRegex(@"^.*\.avro$", RegexOptions.IgnoreCase)]
    private static partial Regex Avro();
}

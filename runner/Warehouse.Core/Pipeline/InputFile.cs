using System.IO.Compression;
using System.Text.RegularExpressions;
using Warehouse.Core.Conversion;
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
    public InputFile(string path, InputKind kind, string? format, string? skipReason = null)
    {
        Path = path;
        Location = path;
        Name = System.IO.Path.GetFileName(path);
        Kind = kind;
        Format = format;
        SkipReason = skipReason;
    }

    /// <summary>A remote object; <paramref name="name"/> is the last segment of its URL path or key.</summary>
    public InputFile(IRemoteObject remote, string name, InputKind kind, string? format, string? skipReason = null)
    {
        _remote = remote;
        Location = remote.Location;
        Name = name;
        Kind = kind;
        Format = format;
        SkipReason = skipReason;
    }

    /// <summary>The local path; null for a remote object.</summary>
    public string? Path { get; }

    /// <summary>Where the input lives, safe to print: a path, a URL without user info or query string, or s3://bucket/key.</summary>
    public string Location { get; }

    /// <summary>The file name (last path segment), which decides the kind.</summary>
    public string Name { get; }

    public InputKind Kind { get; }
    public string? Format { get; }
    /// <summary>Why a <see cref="InputKind.Skipped"/> input is not read, e.g. "not a recognised input name".</summary>
    public string? SkipReason { get; }
    public IRemoteObject? Remote => _remote;
    public bool IsRemote => _remote is not null;

    /// <summary>The name without a trailing .gz: what the source file is called inside the data.</summary>
    public string SourceName => IsGzip ? Name[..^3] : Name;

    public bool IsGzip => Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens a local file's content, decompressing .gz while streaming. Remote objects are read through <see cref="RemoteReader"/>.</summary>
    public Stream OpenRead()
    {
        var bytes = OpenFile();
        return IsGzip ? new GzipContent(bytes, OpenFile, Name, leaveOpen: false) : bytes;
    }

    /// <summary>Opens a local file's bytes as they are on disk (not decompressed).</summary>
    public Stream OpenFile()
    {
        if (Path is null)
        {
            throw new InvalidOperationException($"{Location} is remote: read it with RemoteReader");
        }
        return new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
    }

    /// <summary>The file's content from its bytes: decompressed while streaming when it is .gz, else the bytes themselves.</summary>
    public Stream Decompress(Stream bytes) => IsGzip ? new GzipContent(bytes, Path is null ? null : OpenFile, Name) : bytes;

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

    public const string UnrecognisedName = "not a recognised input name";

    /// <summary>
    /// A folder's entries in name order, or one named file. Only regular files (or links to them) are read: anything
    /// else with an input's name is skipped with the reason; a subfolder whose name is no input's is passed over.
    /// </summary>
    public static IReadOnlyList<InputFile> Scan(string directory)
    {
        switch (LocalFiles.KindOf(directory))
        {
            case FileKind.Directory:
                break;
            case FileKind.Missing:
                throw new WarehouseException($"input folder not found: {directory}");
            default:
                LocalFiles.RequireRegular(directory);
                return [Classify(directory)];
        }
        var inputs = new List<InputFile>();
        foreach (var path in Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var entry = Classify(path);
            var kind = LocalFiles.KindOf(path);
            if (kind == FileKind.Regular || (entry.Kind == InputKind.Skipped && kind != FileKind.Directory))
            {
                inputs.Add(entry);
            }
            else if (entry.Kind != InputKind.Skipped)
            {
                inputs.Add(new InputFile(path, InputKind.Skipped, null, $"not a regular file: {LocalFiles.Describe(kind)}"));
            }
        }
        return inputs;
    }

    public static InputFile Classify(string path)
    {
        var (kind, format) = KindOf(Path.GetFileName(path));
        return new InputFile(path, kind, format, kind == InputKind.Skipped ? UnrecognisedName : null);
    }

    public static InputFile Classify(IRemoteObject remote)
    {
        var (kind, format) = KindOf(remote.Name);
        return new InputFile(remote, remote.Name, kind, format, kind == InputKind.Skipped ? UnrecognisedName : null);
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

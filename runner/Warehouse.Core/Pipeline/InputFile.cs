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

/// <summary>Recognises input files by name (a trailing .gz is decompressed while streaming), and a local file of any other name by its first line when that is an access log line.</summary>
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
        // after *.avro: access_log_2024.avro is Avro; rotated logs (access.log.1, access.log.2.gz) are access logs
        (AccessLog(), InputKind.Raw, AccessLogFormat.CombinedName, "access.log*, access_log*, *.access.log*"),
    ];

    /// <summary>The recognised names, for messages: <c>http_log*.txt, ..., *.avro, access.log*, ... (raw files ... also as .gz; ...)</c>.</summary>
    public static string RecognisedNames =>
        string.Join(", ", Rules.Select(r => r.Names)) +
        " (raw files and the mapping also as .gz; any other local file whose first line is an access log line)";

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

    /// <summary>Why a local file is skipped whose name is no input's and whose content was looked at too.</summary>
    public const string UnrecognisedNameOrContent = "not a recognised input name, and its first line is not an access log line (combined or common)";

    /// <summary>How much of a file is read to find its first non-blank line when recognising it by content.</summary>
    private const int SniffBytes = 64 * 1024;

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
                return [ClassifyRegular(directory)];
        }
        var inputs = new List<InputFile>();
        foreach (var path in Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var kind = LocalFiles.KindOf(path);
            var entry = kind == FileKind.Regular ? ClassifyRegular(path) : Classify(path);
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

    /// <summary>
    /// A regular local file whose name is no input's is recognised by content: an access log (combined, else common)
    /// when its first non-blank line is one, since web logs are named freely (ssl_access, vhost names, dated names).
    /// A file named as an access log is common when its first line is (Apache's stock httpd.conf writes access_log so).
    /// </summary>
    private static InputFile ClassifyRegular(string path)
    {
        var entry = Classify(path);
        if (entry.Format == AccessLogFormat.CombinedName)
        {
            return FirstLineFormat(entry) == AccessLogFormat.CommonName ? new InputFile(path, InputKind.Raw, AccessLogFormat.CommonName) : entry;
        }
        if (entry.Kind != InputKind.Skipped)
        {
            return entry;
        }
        return FirstLineFormat(entry) is { } format
            ? new InputFile(path, InputKind.Raw, format)
            : new InputFile(path, InputKind.Skipped, null, UnrecognisedNameOrContent);
    }

    /// <summary>The access log format of the file's first non-blank line (within its first 64 KiB, .gz decompressed), or null.</summary>
    private static string? FirstLineFormat(InputFile file)
    {
        var buffer = new byte[SniffBytes];
        var length = 0;
        try
        {
            using var content = file.OpenRead();
            int read;
            while (length < buffer.Length && (read = content.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or WarehouseException)
        {
            return null;   // unreadable or not gzip after all: not an input, and the skip says why it was looked at
        }
        var text = buffer.AsSpan(0, length);
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))   // a UTF-8 byte order mark
        {
            text = text[3..];
        }
        string? first = null;
        var looked = 0;
        while (text.Length > 0 && looked < SniffLines)
        {
            var newline = text.IndexOf((byte)'\n');
            if (newline < 0 && length == buffer.Length)
            {
                return first;   // a line longer than we read: no log line is; decide on those before it
            }
            var line = newline < 0 ? text : text[..newline];
            line = line.TrimEnd((byte)'\r');
            if (line.IndexOfAnyExcept((byte)' ', (byte)'\t') >= 0)
            {
                looked++;
                var format = AccessLogFormat.Detect(line);
                if (first is null && format is null)
                {
                    return null;   // the first line is no log line: not an access log
                }
                // A combined line also reads as common (trailing fields are ignored), so one common line first must not
                // make a combined log common and drop every referrer and agent: any combined line among the first makes it combined.
                if (format == AccessLogFormat.CombinedName)
                {
                    return format;
                }
                first ??= format;
            }
            text = newline < 0 ? default : text[(newline + 1)..];
        }
        return first;
    }

    /// <summary>How many non-blank lines at most are looked at to tell combined from common.</summary>
    private const int SniffLines = 100;

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
    [GeneratedRegex(@"^(access\.log|access_log|.*\.access\.log)", RegexOptions.IgnoreCase)]
    private static partial Regex AccessLog();
}

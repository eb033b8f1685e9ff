using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Warehouse.Core.Pipeline;

public enum InputKind { Raw, Avro, Mapping, Skipped }

/// <summary>A file found in the input folder and what the run does with it.</summary>
public sealed record InputFile(string Path, InputKind Kind, string? Format)
{
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The name without a trailing .gz: what the source file is called inside the data.</summary>
    public string SourceName => Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Name[..^3] : Name;

    public Stream OpenRead()
    {
        Stream stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }
}

/// <summary>Recognises input files by name (a trailing .gz is decompressed while streaming).</summary>
public static partial class InputDiscovery
{
    private static readonly (Regex Pattern, InputKind Kind, string? Format)[] Rules =
    [
        (HttpLog(), InputKind.Raw, "http-log"),
        (Mapping(), InputKind.Mapping, null),
        (Webshop(), InputKind.Raw, "webshop-events"),
        (Device(), InputKind.Raw, "device-events"),
        (Clickstream(), InputKind.Raw, "clickstream-csv"),
        (Avro(), InputKind.Avro, null),
    ];

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
        var name = Path.GetFileName(path);
        var plain = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name;
        foreach (var (pattern, kind, format) in Rules)
        {
            if (pattern.IsMatch(plain) && !(kind == InputKind.Avro && plain != name))
            {
                return new InputFile(path, kind, format);
            }
        }
        return new InputFile(path, InputKind.Skipped, null);
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

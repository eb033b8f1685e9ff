using System.Text.Json;
using System.Text.RegularExpressions;

namespace Warehouse.Core.Pipeline;

/// <summary>
/// Groups rejected lines by kind of problem. A converter's reason names the offending value
/// (<c>timestamp "2019-13-01" is not ISO-8601 (...)</c>); masking quoted values and numbers makes one row per kind.
/// </summary>
public static partial class RejectReasons
{
    public static string Normalise(string reason)
    {
        // Values vary from line to line, names do not: a quoted value is masked when it holds a digit (a timestamp, an id),
        // a quoted field name is kept; then standalone numbers (not the 8 of UTF-8).
        var masked = Digits().Replace(SingleQuotedWithDigit().Replace(Quoted().Replace(reason, "\"…\""), "'…'"), "N");
        return masked.Length > 200 ? masked[..200] + "…" : masked;
    }

    /// <summary>Counts a rejects file (JSON lines with a "reason") by normalised reason.</summary>
    public static Dictionary<string, long> CountFile(string path)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var json = JsonDocument.Parse(line);
            var reason = Normalise(json.RootElement.GetProperty("reason").GetString() ?? "");
            counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }
        return counts;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Quoted();
    [GeneratedRegex(@"'[^']*\d[^']*'")]
    private static partial Regex SingleQuotedWithDigit();
    [GeneratedRegex(@"(?<![\w-])\d+")]
    private static partial Regex Digits();
}

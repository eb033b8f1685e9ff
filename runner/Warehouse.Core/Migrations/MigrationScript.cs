using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Warehouse.Core.Migrations;

public enum MigrationKind { Versioned, Repeatable }

/// <summary>
/// A script in the migrations folder: <c>V0001__description.sql</c> (applied once, in numeric order) or
/// <c>R__description.sql</c> (re-applied when its checksum changes, in the order of <see cref="RepeatableOrder"/>). A
/// target variant such as <c>V0007__x.redshift.sql</c> replaces the plain file of the same name for that target.
/// </summary>
public sealed partial record MigrationScript(
    MigrationKind Kind, string? Version, string Description, string FileName, string Text, string Checksum)
{
    /// <summary>The folder the script sits in under the migrations folder (its layer: staging, core, marts), "" at its top.
    /// Not part of the script's identity: the history knows a script by its file name.</summary>
    public string Layer { get; init; } = "";

    /// <summary>Numeric order of a versioned script (e.g. V0010 after V0009 and after V9).</summary>
    public decimal VersionNumber => Version is null ? 0 : decimal.Parse(Version, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key a script is tracked by in the history: its version, or its description for repeatables.</summary>
    public string Key => Kind == MigrationKind.Versioned ? $"V{Version}" : $"R {Description}";

    public static MigrationScript FromFile(string path, string text)
    {
        var fileName = Path.GetFileName(path);
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new WarehouseException($"{fileName}: not a migration name (expected V0001__description.sql or R__description.sql)");
        }
        var normalised = Normalise(text);
        var description = match.Groups["description"].Value.Replace('_', ' ');
        return match.Groups["kind"].Value == "V"
            ? new MigrationScript(MigrationKind.Versioned, match.Groups["version"].Value, description, fileName, normalised, ChecksumOf(normalised))
            : new MigrationScript(MigrationKind.Repeatable, null, description, fileName, normalised, ChecksumOf(normalised));
    }

    /// <summary>The dialect a file is written for (postgres, redshift), or null when it serves every target.</summary>
    public static string? TargetOf(string fileName) =>
        FileNamePattern().Match(fileName) is { Success: true } m && m.Groups["target"].Success ? m.Groups["target"].Value : null;

    /// <summary>The file name without its target suffix: variants of one script share it.</summary>
    public static string BaseNameOf(string fileName) =>
        TargetOf(fileName) is { } target ? fileName.Replace($".{target}.sql", ".sql", StringComparison.Ordinal) : fileName;

    /// <summary>BOM stripped, CRLF folded to LF: the same script checked out on Windows keeps its checksum.</summary>
    public static string Normalise(string text) => text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);

    public static string ChecksumOf(string normalisedText) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalisedText)));

    [GeneratedRegex(@"^(?:(?<kind>V)(?<version>\d+(?:\.\d+)?)|(?<kind>R))__(?<description>[^.]+?)(?:\.(?<target>postgres|redshift))?\.sql$")]
    private static partial Regex FileNamePattern();
}

namespace Warehouse.Core.Pipeline;

/// <summary>
/// How many of a raw file's lines may be rejected before the file is refused. The real perx log rejects none of its
/// 16,000 lines and generated data about 1 in 10,000; the bundled sample's tiny files reject 11-29% on purpose (two
/// malformed lines each). A file that rejects more than half its lines is not what its name says (another format, another
/// export), so half is the default: it refuses those and lets the sample through.
/// </summary>
public static class RejectLimit
{
    public const double DefaultRate = 0.5;

    /// <summary>Rejected lines over the lines that were records or rejects (blank lines count as neither).</summary>
    public static double RateOf(ConvertedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var considered = file.Records + file.Rejected;
        return considered == 0 ? 0 : (double)file.Rejected / considered;
    }

    /// <summary>One line naming the file, its rate, the limit and its most frequent reject reasons.</summary>
    public static string Describe(ConvertedFile file, double limit)
    {
        ArgumentNullException.ThrowIfNull(file);
        var reasons = (file.RejectReasons ?? new Dictionary<string, long>())
            .OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Take(3)
            .Select(r => $"{r.Key} ({r.Value:N0})");
        return $"{file.SourceFile}: {file.Rejected:N0} of {file.Records + file.Rejected:N0} lines rejected ({Percent(RateOf(file))}), " +
            $"over the limit of {Percent(limit)} (--max-reject-rate); not loaded. Top reasons: {string.Join("; ", reasons)}" +
            (file.RejectsPath is null ? "" : $" (all in {file.RejectsPath})");
    }

    public static string Percent(double rate) => (rate * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%";
}

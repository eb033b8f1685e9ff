using System.Globalization;

namespace Warehouse.Core.Profile;

/// <summary>Prints profiles as one table (a column per source), then the reject reasons.</summary>
public static class ProfileReport
{
    public static void Write(IReadOnlyList<SourceProfile> profiles, TextWriter output)
    {
        if (profiles.Count == 0)
        {
            return;
        }
        var rows = new (string Label, Func<SourceProfile, string> Value)[]
        {
            ("first event (UTC)", p => Time(p.FirstEventAt)),
            ("last event (UTC)", p => Time(p.LastEventAt)),
            ("events", p => N(p.Events)),
            ("users", p => N(p.Users)),
            ("events without a user", p => N(p.EventsWithoutUser)),
            ("rejected lines", p => N(p.RejectedLines)),
            ("exact duplicate events", p => N(p.DuplicateEvents)),
            ("users whose family changes in a session", p => N(p.UsersWithFamilyChange)),
            ("  (sessions with a family change)", p => N(p.SessionsWithFamilyChange)),
            ("gaps < threshold, within 1 s", p => N(p.GapsJustBelowThreshold)),
            ("gaps >= threshold, within 1 s", p => N(p.GapsJustAtOrAboveThreshold)),
        };
        var labelWidth = rows.Max(r => r.Label.Length);
        var widths = profiles.Select(p => Math.Max(p.Source.Length, rows.Max(r => r.Value(p).Length))).ToArray();
        output.WriteLine(string.Join("  ", new[] { "profile".PadRight(labelWidth) }.Concat(profiles.Select((p, i) => p.Source.PadLeft(widths[i])))));
        foreach (var (label, value) in rows)
        {
            output.WriteLine(string.Join("  ", new[] { label.PadRight(labelWidth) }.Concat(profiles.Select((p, i) => value(p).PadLeft(widths[i])))));
        }
        foreach (var profile in profiles.Where(p => p.Rejects.Count > 0))
        {
            output.WriteLine($"rejects in {profile.Source}:");
            foreach (var (reason, lines) in profile.Rejects)
            {
                output.WriteLine($"  {N(lines),8}  {reason}");
            }
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Time(DateTime? value) =>
        value is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Warehouse.Core.Generate;

namespace Warehouse.Tests.Generate;

/// <summary>One generated access log shared by the tests that only read it (100,000 lines, seed 7).</summary>
public sealed class AccessLogData : IDisposable
{
    public const long Events = 100_000;
    public const ulong Seed = 7;

    public AccessLogData()
    {
        Folder = Directory.CreateTempSubdirectory("generate-access-").FullName;
        DataGenerator.Generate(new GenerateOptions(Events, null, Seed, ["combined"], Folder));
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, DataGenerator.ManifestName)));
        Entry = manifest.RootElement.GetProperty("files").GetProperty("access.log").Clone();
        Lines = File.ReadAllLines(Path.Combine(Folder, "access.log"));
    }

    public string Folder { get; }

    public JsonElement Entry { get; }

    public JsonElement Expected => Entry.GetProperty("expected");

    public string[] Lines { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>
/// The generated access log read back from the outside: every line matched by a combined-format regex, and every figure
/// of generated.json recounted from the parsed lines (bots by the issue's rule list, sessions by visitor key and gap).
/// </summary>
[Trait("Speed", "slow")] // scale: a generated log of 100,000 lines
public sealed partial class AccessLogGeneratorTests(AccessLogData data) : IClassFixture<AccessLogData>
{
    private sealed record Line(string Address, string AuthUser, DateTimeOffset At, string Offset, string Method, string Path,
        string? Query, int Status, string Bytes, string Referrer, string Agent)
    {
        public string VisitorKey => AuthUser != "-" ? $"user {AuthUser}" : $"visitor {Address} {Agent}";
    }

    /// <summary>Apache's combined layout: host ident authuser [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes "referer" "agent".</summary>
    [GeneratedRegex("""^(\S+) (\S+) (\S+) \[(\d{2}/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:\d{2}:\d{2}:\d{2}) ([+-])(\d{2})(\d{2})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$""")]
    private static partial Regex CombinedLine();

    [GeneratedRegex(@"^(GET|POST|HEAD) (/[^?\s]*)(?:\?(\S*))? HTTP/(?:1\.1|2\.0)$")]
    private static partial Regex RequestLine();

    /// <summary>The issue's bot rule list, in order: the first match names the family.</summary>
    private static readonly (string Family, Regex Rule)[] BotRules =
    [
        .. new[] { "Googlebot", "bingbot", "AhrefsBot", "SemrushBot", "YandexBot", "Baiduspider", "slurp", "bot", "curl", "wget", "python-requests" }
            .Select(f => (f, new Regex(Regex.Escape(f), RegexOptions.IgnoreCase))),
        ("crawl", new Regex("crawl|spider", RegexOptions.IgnoreCase)),
    ];

    private static readonly string[] AssetExtensions = ["css", "js", "png", "jpg", "gif", "svg", "webp", "woff", "woff2", "ico"];

    private List<Line> Parsed => _parsed ??= [.. data.Lines.Select(Parse)];
    private List<Line>? _parsed;

    private static Line Parse(string text)
    {
        var m = CombinedLine().Match(text);
        Assert.True(m.Success, $"not a combined line: {text}");
        var request = RequestLine().Match(m.Groups[8].Value);
        Assert.True(request.Success, $"not METHOD target PROTOCOL: {text}");
        var offset = $"{m.Groups[5].Value}{m.Groups[6].Value}:{m.Groups[7].Value}";
        var at = DateTimeOffset.ParseExact($"{m.Groups[4].Value} {offset}", "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture);
        return new Line(m.Groups[1].Value, m.Groups[3].Value, at, offset, request.Groups[1].Value, request.Groups[2].Value,
            request.Groups[3].Success ? request.Groups[3].Value : null, int.Parse(m.Groups[9].Value, CultureInfo.InvariantCulture),
            m.Groups[10].Value, m.Groups[11].Value, m.Groups[12].Value);
    }

    private static string? BotFamily(Line line) => BotRules.FirstOrDefault(r => r.Rule.IsMatch(line.Agent)).Family;

    private static string? AssetExtension(Line line)
    {
        var dot = line.Path.LastIndexOf('.');
        var extension = dot < 0 ? null : line.Path[(dot + 1)..];
        return extension is not null && AssetExtensions.Contains(extension) ? extension : null;
    }

    private long Expected(string figure) => data.Expected.GetProperty(figure).GetInt64();

    private Dictionary<string, long> ExpectedObject(string figure) =>
        data.Expected.GetProperty(figure).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void AccessLog_WithTheSameSeed_WritesTheSameBytes_WhateverElseIsGenerated_AndWithAnotherSeed_DifferentOnes()
    {
        var again = Directory.CreateTempSubdirectory("generate-access-again-").FullName;
        var other = Directory.CreateTempSubdirectory("generate-access-other-").FullName;
        try
        {
            DataGenerator.Generate(new GenerateOptions(AccessLogData.Events, null, AccessLogData.Seed, [.. GenerateOptions.AllSources, "combined"], again));
            DataGenerator.Generate(new GenerateOptions(AccessLogData.Events, null, AccessLogData.Seed + 1, ["combined"], other));

            var original = Hash(Path.Combine(data.Folder, "access.log"));
            Assert.Equal(original, Hash(Path.Combine(again, "access.log")));
            Assert.NotEqual(original, Hash(Path.Combine(other, "access.log")));
        }
        finally
        {
            Directory.Delete(again, recursive: true);
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void AccessLog_EveryLineMatchesTheCombinedLayout_AndTheRequestedCountIsWritten()
    {
        Assert.Equal(AccessLogData.Events, data.Lines.Length);
        Assert.Equal(AccessLogData.Events, data.Entry.GetProperty("lines").GetInt64());
        Assert.Equal(new FileInfo(Path.Combine(data.Folder, "access.log")).Length, data.Entry.GetProperty("bytes").GetInt64());
        Assert.Equal(0, data.Entry.GetProperty("malformed_lines").GetInt64());
        Assert.Equal(data.Lines.Length, Parsed.Count);   // Parse asserts the layout of each line
    }

    [Fact]
    public void AccessLog_ExpectedLineCounts_MatchARecountFromTheFile()
    {
        var lines = Parsed;
        var bots = lines.Where(l => BotFamily(l) is not null).ToList();
        var robotsVisitors = lines.Where(l => l.Path == "/robots.txt" && BotFamily(l) is null).Select(l => l.VisitorKey).ToHashSet();
        var excluded = lines.Where(l => BotFamily(l) is not null || robotsVisitors.Contains(l.VisitorKey)).ToList();
        var pageViews = lines.Where(l => AssetExtension(l) is null && l.Status is >= 200 and < 400).ToList();
        var addresses = lines.Select(l => l.Address).Distinct().ToList();

        Assert.Equal(ExpectedObject("requests_by_status_class"),
            Enumerable.Range(1, 5).ToDictionary(c => $"{c}xx", c => (long)lines.Count(l => l.Status / 100 == c)));
        Assert.Equal(Expected("bytes_dash"), lines.Count(l => l.Bytes == "-"));
        Assert.All(lines.Where(l => l.Bytes == "-"), l => Assert.True(l.Status == 304 || l.Method == "HEAD", $"{l}"));
        Assert.Equal(Expected("client_addresses"), addresses.Count);
        Assert.Equal(Expected("ipv6_client_addresses"), addresses.Count(a => a.Contains(':', StringComparison.Ordinal)));
        Assert.Equal(Expected("bot_requests"), bots.Count);
        Assert.Equal(ExpectedObject("bot_requests_by_family").Where(f => f.Value > 0).ToDictionary(),
            bots.GroupBy(BotFamily).ToDictionary(g => g.Key!, g => (long)g.Count()));
        Assert.Equal(Expected("robots_txt_requests"), lines.Count(l => l.Path == "/robots.txt"));
        Assert.Equal(Expected("robots_txt_visitors"), robotsVisitors.Count);
        Assert.Equal(Expected("robots_txt_visitor_requests"), lines.Count(l => robotsVisitors.Contains(l.VisitorKey)));
        Assert.Equal(data.Entry.GetProperty("events_without_user").GetInt64(), excluded.Count);
        Assert.Equal(Expected("authenticated_requests"), lines.Count(l => l.AuthUser != "-"));
        Assert.Equal(Expected("non_utc_requests"), lines.Count(l => l.Offset != "+00:00"));
        Assert.Equal(Expected("page_views"), pageViews.Count);
        Assert.Equal(Expected("human_page_views"), pageViews.Count(l => BotFamily(l) is null && !robotsVisitors.Contains(l.VisitorKey)));
        Assert.Equal(Expected("asset_requests"), lines.Count(l => AssetExtension(l) is not null));
        Assert.Equal(ExpectedObject("asset_requests_by_extension"),
            AssetExtensions.ToDictionary(e => e, e => (long)lines.Count(l => AssetExtension(l) == e)));
        Assert.Equal(Expected("campaign_landing_requests"), lines.Count(l => l.Query?.Contains("utm_source=", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void AccessLog_HasEveryKindOfLineARealLogHas()
    {
        var lines = Parsed;

        foreach (var statusClass in new[] { "2xx", "3xx", "4xx", "5xx" })
        {
            Assert.True(ExpectedObject("requests_by_status_class")[statusClass] > 0, statusClass);
        }
        Assert.All(ExpectedObject("bot_requests_by_family"), f => Assert.True(f.Value > 0, f.Key));
        Assert.All(ExpectedObject("sessions_by_channel"), c => Assert.True(c.Value > 0, c.Key));
        Assert.All(ExpectedObject("asset_requests_by_extension"), c => Assert.True(c.Value > 0, c.Key));
        Assert.InRange(Expected("ipv6_client_addresses"), Expected("client_addresses") / 20, Expected("client_addresses") / 3);
        Assert.InRange(Expected("authenticated_requests"), 1, AccessLogData.Events / 10);
        Assert.InRange(Expected("non_utc_requests"), AccessLogData.Events / 10, AccessLogData.Events / 2);
        Assert.True(Expected("robots_txt_visitors") > 0);
        Assert.Contains(lines, l => l.Method == "POST");
        Assert.Contains(lines, l => l.Method == "HEAD");
        Assert.Contains(lines, l => l.Referrer.StartsWith(AccessLogSource.SiteOrigin + "/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Query?.Contains("utm_campaign=", StringComparison.Ordinal) == true && l.Referrer == "-");
        // Out of time order, as lines of concurrent requests are.
        Assert.Contains(lines.Zip(lines.Skip(1)), p => p.Second.At < p.First.At);
    }

    [Fact]
    public void AccessLog_ExpectedSessions_MatchARecountByVisitorKey_OfTheRequestsThatAreNotBots()
    {
        var lines = Parsed;
        var robotsVisitors = lines.Where(l => l.Path == "/robots.txt" && BotFamily(l) is null).Select(l => l.VisitorKey).ToHashSet();
        var threshold = TimeSpan.FromSeconds(Expected("session_gap_seconds"));
        long sessions = 0, atThreshold = 0, belowThreshold = 0;
        var channels = new Dictionary<string, long>();
        var visitors = lines.Where(l => BotFamily(l) is null && !robotsVisitors.Contains(l.VisitorKey)).GroupBy(l => l.VisitorKey).ToList();
        foreach (var visitor in visitors)
        {
            Line? previous = null;
            foreach (var line in visitor.OrderBy(l => l.At))
            {
                var gap = previous is null ? (TimeSpan?)null : line.At - previous.At;
                atThreshold += gap == threshold ? 1 : 0;
                belowThreshold += gap == threshold - TimeSpan.FromSeconds(1) ? 1 : 0;
                if (gap is null || gap >= threshold)
                {
                    sessions++;
                    // The first request of a session is a page that loaded, so it is the session's landing page.
                    Assert.True(AssetExtension(line) is null && line.Status == 200, $"landing {line}");
                    var channel = Channel(line);
                    channels[channel] = channels.GetValueOrDefault(channel) + 1;
                }
                previous = line;
            }
        }

        Assert.Equal(Expected("users"), visitors.Count);
        Assert.Equal(Expected("sessions"), sessions);
        Assert.Equal(Expected("gaps_at_threshold"), atThreshold);
        Assert.Equal(Expected("gaps_one_second_below_threshold"), belowThreshold);
        Assert.Equal(ExpectedObject("sessions_by_channel"), channels);
    }

    [GeneratedRegex(@"^https?://([^/?]+)")]
    private static partial Regex ReferrerHost();

    /// <summary>The issue's channel rules: UTM parameters win, then no referrer, the site itself, search, social, anything else.</summary>
    private static string Channel(Line landing)
    {
        if (landing.Query?.Contains("utm_", StringComparison.Ordinal) == true)
        {
            return "campaign";
        }
        if (landing.Referrer == "-")
        {
            return "direct";
        }
        var host = ReferrerHost().Match(landing.Referrer).Groups[1].Value;
        return host switch
        {
            _ when $"https://{host}" == AccessLogSource.SiteOrigin => "internal",
            _ when Regex.IsMatch(host, @"(^|\.)(google\.[a-z.]+|bing\.com|duckduckgo\.com)$") => "search",
            _ when Regex.IsMatch(host, @"(^|\.)(facebook\.com|twitter\.com|linkedin\.com|news\.ycombinator\.com)$") => "social",
            _ => "referral",
        };
    }

    [Fact]
    public void AccessLog_TwoMillionLines_AllocateNoMoreThanTwoHundredThousand()
    {
        static long AllocatedFor(long events)
        {
            var source = new AccessLogSource(3);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var counts = source.Write(Stream.Null, events, events / 7, 3, CancellationToken.None);
            Assert.Equal(events, counts.Lines);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        var small = AllocatedFor(200_000);
        var large = AllocatedFor(2_000_000);

        Assert.True(large - small < 2_000_000, $"allocated {small:N0} bytes for 200k lines and {large:N0} for 2M");
    }
}

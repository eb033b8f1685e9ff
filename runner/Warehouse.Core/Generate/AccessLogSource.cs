using System.Text;
using System.Text.Json;

namespace Warehouse.Core.Generate;

/// <summary>
/// <c>access.log</c> in Apache's combined format:
/// <c>203.0.113.9 - - [13/May/2019:10:05:03 +0200] "GET /blog/ HTTP/1.1" 200 8316 "https://www.google.com/" "Mozilla/5.0 ..."</c>.
/// Visitors arrive by a channel (direct, search, social, referral, a UTM campaign link, an old internal link), then browse
/// pages, each followed by its assets; crawlers, tools and a few visitors that fetch /robots.txt mix in.
/// Every generated user is one client with its own address, a constant agent and (for a few) a constant auth user, so the
/// warehouse's visitor key (auth user, else address and agent) is one per user and the engine's sessions are its sessions.
/// Requests of bots, tools and /robots.txt visitors are flagged <see cref="EventFlags.NoUser"/>: written and counted per
/// line, left out of users and sessions as the warehouse leaves them out.
/// </summary>
internal sealed class AccessLogSource(ulong seed) : EventSource("combined", "access.log", 1800,
    new DateTimeOffset(2019, 5, 13, 0, 0, 0, TimeSpan.Zero), 7)
{
    public const string SiteOrigin = "https://www.example.com";

    private const byte Page = 0;
    private const byte Asset = 1;
    private const byte RobotsTxt = 2;
    private const byte Login = 3;
    private const byte Head = 4;
    private const byte Health = 5;

    private const int NoReferrer = 0;
    private const int InternalReferrer = 1;

    private enum Visitor
    {
        Human,
        Authenticated,
        Bot,
        Tool,
        RobotsTxtVisitor,
    }

    private enum Channel
    {
        Direct,
        Internal,
        Search,
        Social,
        Referral,
        Campaign,
    }

    /// <summary>Browsers first, then crawlers and tools: an agent at or after <see cref="FirstBot"/> is a bot by the rule list.</summary>
    private static readonly (string Family, byte[] Text)[] Agents =
    [
        .. new (string, string)[]
        {
            ("", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.131 Safari/537.36"),
            ("", "Mozilla/5.0 (iPhone; CPU iPhone OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1"),
            ("", "Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.136 Mobile Safari/537.36"),
            ("", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Safari/605.1.15"),
            ("", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:66.0) Gecko/20100101 Firefox/66.0"),
            ("", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.131 Safari/537.36 Edg/74.1.96.24"),
            ("", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:66.0) Gecko/20100101 Firefox/66.0"),
            ("", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.131 Safari/537.36"),
            ("", "Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1"),
            ("", "Mozilla/5.0 (Linux; Android 8.0.0; SAMSUNG SM-A520F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/9.2 Chrome/67.0.3396.87 Mobile Safari/537.36"),
            ("Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            ("Googlebot", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.131 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            ("bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
            ("AhrefsBot", "Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)"),
            ("SemrushBot", "Mozilla/5.0 (compatible; SemrushBot/6~bl; +http://www.semrush.com/bot.html)"),
            ("YandexBot", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"),
            ("Baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"),
            ("slurp", "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)"),
            ("bot", "DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html)"),
            ("curl", "curl/7.64.0"),
            ("wget", "Wget/1.20.1 (linux-gnu)"),
            ("python-requests", "python-requests/2.21.0"),
        }.Select(a => (a.Item1, Encoding.ASCII.GetBytes(a.Item2))),
    ];

    private const int FirstBot = 10;
    private const int FirstTool = 19;

    private static readonly string[] Families = [.. Agents.Skip(FirstBot).Select(a => a.Family).Distinct()];

    private static readonly byte[][] FixedPages =
    [
        .. new[]
        {
            "/", "/products/", "/blog/", "/about", "/contact", "/pricing", "/blog/sessionizing-web-logs",
            "/blog/utm-tracking-explained", "/blog/2019/05/release-notes", "/docs/getting-started", "/docs/api",
            "/search?q=running+shoes", "/cart", "/checkout", "/account/orders", "/faq",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    private const int ProductPages = 400;
    private const int PageCount = 16 + ProductPages;

    /// <summary>Static files: path, bytes and extension (the key of <c>asset_requests_by_extension</c>).</summary>
    private static readonly (byte[] Path, int Bytes, string Extension)[] Assets =
    [
        .. new (string, int)[]
        {
            ("/static/css/site.css", 18_734), ("/static/css/print.css", 2_210), ("/static/js/app.js", 84_211),
            ("/static/js/vendor.js", 241_502), ("/static/js/analytics.js", 9_120), ("/static/img/logo.png", 6_403),
            ("/static/img/hero.jpg", 187_220), ("/static/img/sprite.svg", 12_877), ("/static/img/spinner.gif", 3_015),
            ("/static/img/product-thumb.webp", 24_190), ("/static/fonts/inter-regular.woff2", 48_256),
            ("/static/fonts/inter-bold.woff", 61_012), ("/favicon.ico", 1_150),
        }.Select(a => (Encoding.ASCII.GetBytes(a.Item1), a.Item2, a.Item1[(a.Item1.LastIndexOf('.') + 1)..])),
    ];

    private static readonly string[] Extensions = [.. Assets.Select(a => a.Extension).Distinct()];

    /// <summary>Referrers from other sites; an index i here is referrer code i + 2 (0 is '-', 1 the site itself).</summary>
    private static readonly (byte[] Url, Channel Channel)[] ExternalReferrers =
    [
        .. new (string, Channel)[]
        {
            ("https://www.google.com/", Channel.Search), ("https://www.google.de/", Channel.Search),
            ("https://www.bing.com/search?q=web+log+sessions", Channel.Search), ("https://duckduckgo.com/", Channel.Search),
            ("https://www.facebook.com/", Channel.Social), ("https://m.facebook.com/", Channel.Social),
            ("https://twitter.com/", Channel.Social), ("https://www.linkedin.com/feed/", Channel.Social),
            ("https://news.ycombinator.com/item?id=19912345", Channel.Social), // social in core.referrer_host_patterns, as in GA4
            ("https://blog.example.net/2019/05/best-analytics-tools/", Channel.Referral),
            ("https://stackoverflow.com/questions/5566778/sessionize-apache-logs", Channel.Referral),
        }.Select(r => (Encoding.ASCII.GetBytes(r.Item1), r.Item2)),
    ];

    private static readonly int[] SearchReferrers = ReferrersOf(Channel.Search);
    private static readonly int[] SocialReferrers = ReferrersOf(Channel.Social);
    private static readonly int[] OtherReferrers = ReferrersOf(Channel.Referral);

    /// <summary>Landing-page links with UTM parameters, and the referrer their clicks carry (0: none, as from e-mail).</summary>
    private static readonly (byte[] Query, int Referrer)[] Campaigns =
    [
        ("?utm_source=newsletter&utm_medium=email&utm_campaign=may_2019"u8.ToArray(), NoReferrer),
        ("?utm_source=facebook&utm_medium=cpc&utm_campaign=spring_sale"u8.ToArray(), 2 + 4),
        ("?utm_source=google&utm_medium=cpc&utm_campaign=brand_search"u8.ToArray(), 2 + 0),
        ("?utm_source=twitter&utm_medium=social&utm_campaign=launch_week"u8.ToArray(), 2 + 6),
        ("?utm_source=linkedin&utm_medium=paid_social&utm_campaign=b2b_q2"u8.ToArray(), 2 + 7),
        ("?utm_source=partner&utm_medium=affiliate&utm_campaign=summer_deals"u8.ToArray(), 2 + 9),
    ];

    private static readonly int[] Statuses = [200, 206, 301, 302, 304, 400, 403, 404, 500, 503];

    /// <summary>The server's offset, by weight: UTC for most lines, then servers in other zones.</summary>
    private static readonly (byte[] Text, int Minutes)[] Zones =
    [
        ("+0000"u8.ToArray(), 0), ("+0000"u8.ToArray(), 0), ("+0000"u8.ToArray(), 0), ("+0000"u8.ToArray(), 0),
        ("+0000"u8.ToArray(), 0), ("+0000"u8.ToArray(), 0), ("+0000"u8.ToArray(), 0), ("+0000"u8.ToArray(), 0),
        ("+0200"u8.ToArray(), 120), ("+0200"u8.ToArray(), 120), ("-0700"u8.ToArray(), -420),
        ("+0530"u8.ToArray(), 330), ("+1000"u8.ToArray(), 600), ("-0300"u8.ToArray(), -180),
    ];

    private static readonly byte[] SiteOriginBytes = Encoding.ASCII.GetBytes(SiteOrigin);

    private static readonly byte[][] AuthNames =
        [.. new[] { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi" }.Select(Encoding.ASCII.GetBytes)];

    private readonly ulong _profileKey = DeterministicRandom.Mix(seed + 11);
    private readonly ulong _ipv4Key = DeterministicRandom.Mix(seed + 12);
    private readonly ulong _ipv6Key = DeterministicRandom.Mix(seed + 13);

    private readonly long[] _statusClasses = new long[6];
    private readonly long[] _assetsByExtension = new long[Extensions.Length];
    private readonly long[] _botsByFamily = new long[Families.Length];
    private readonly long[] _sessionsByChannel = new long[Enum.GetValues<Channel>().Length];
    private long _addresses;
    private long _ipv6Addresses;
    private long _dashBytes;
    private long _botRequests;
    private long _robotsTxtRequests;
    private long _robotsTxtVisitors;
    private long _robotsTxtVisitorRequests;
    private long _authenticated;
    private long _nonUtc;
    private long _pageViews;
    private long _humanPageViews;
    private long _campaignLandings;

    protected override long GranularityMicros => 1_000_000;

    /// <summary>Every line is a log line: the parser's rejects are tested on hand-written lines, not on the volume path.</summary>
    protected override double MalformedRate => 0;

    protected override double ExtraEventsPerSession => 8;

    protected override long LongestOrdinaryGapSeconds => 300;

    protected override int AgentCount => Agents.Length;

    public override void WriteExpected(Utf8JsonWriter json)
    {
        json.WriteString("site", SiteOrigin);
        json.WriteNumber("client_addresses", _addresses);
        json.WriteNumber("ipv6_client_addresses", _ipv6Addresses);
        json.WriteStartObject("requests_by_status_class");
        for (var i = 1; i < _statusClasses.Length; i++)
        {
            json.WriteNumber($"{i}xx", _statusClasses[i]);
        }
        json.WriteEndObject();
        json.WriteNumber("bytes_dash", _dashBytes);
        json.WriteNumber("bot_requests", _botRequests);
        json.WriteStartObject("bot_requests_by_family");
        for (var i = 0; i < Families.Length; i++)
        {
            json.WriteNumber(Families[i], _botsByFamily[i]);
        }
        json.WriteEndObject();
        json.WriteNumber("robots_txt_requests", _robotsTxtRequests);
        json.WriteNumber("robots_txt_visitors", _robotsTxtVisitors);
        json.WriteNumber("robots_txt_visitor_requests", _robotsTxtVisitorRequests);
        json.WriteNumber("authenticated_requests", _authenticated);
        json.WriteNumber("non_utc_requests", _nonUtc);
        json.WriteNumber("page_views", _pageViews);
        json.WriteNumber("human_page_views", _humanPageViews);
        json.WriteNumber("asset_requests", _assetsByExtension.Sum());
        json.WriteStartObject("asset_requests_by_extension");
        for (var i = 0; i < Extensions.Length; i++)
        {
            json.WriteNumber(Extensions[i], _assetsByExtension[i]);
        }
        json.WriteEndObject();
        json.WriteNumber("campaign_landing_requests", _campaignLandings);
        json.WriteStartObject("sessions_by_channel");
        foreach (var channel in Enum.GetValues<Channel>())
        {
            json.WriteNumber(channel.ToString().ToLowerInvariant(), _sessionsByChannel[(int)channel]);
        }
        json.WriteEndObject();
    }

    protected override byte PickZone(DeterministicRandom rng) => (byte)rng.Next(Zones.Length);

    protected override void Describe(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts)
    {
        var (visitor, agent) = Profile(user.Index);
        e.Agent = agent;
        var first = !user.Introduced;
        if (first)
        {
            user.Introduced = true;
            _addresses++;
            if (IsIpv6(user.Index))
            {
                _ipv6Addresses++;
            }
            if (visitor == Visitor.RobotsTxtVisitor)
            {
                _robotsTxtVisitors++;
            }
        }
        switch (visitor)
        {
            case Visitor.Bot:
                e.Flags |= EventFlags.NoUser;
                e.Kind = rng.Chance(0.03) ? RobotsTxt : Page;
                e.Target = Pack(rng.Next(PageCount), 0, NoReferrer, 0);
                e.Variant = Status(rng.Next(100) switch { < 88 => 200, < 93 => 301, < 99 => 404, _ => 503 });
                break;
            case Visitor.Tool:
                e.Flags |= EventFlags.NoUser;
                var roll = rng.Next(4);
                e.Kind = roll switch { 0 or 1 => Health, 2 => Head, _ => Page };
                e.Target = Pack(0, 0, NoReferrer, 0);
                e.Variant = Status(rng.Chance(0.97) ? 200 : 503);
                break;
            case Visitor.RobotsTxtVisitor:
                // Someone reading the crawl rules first, then the pages themselves without their assets (a scraper).
                e.Flags |= EventFlags.NoUser;
                e.Kind = first ? RobotsTxt : Page;
                var page = PickPage(rng);
                e.Target = Pack(page, 0, first ? NoReferrer : InternalReferrer, user.Recent[0]);
                user.Recent[0] = page;
                e.Variant = Status(rng.Chance(0.95) ? 200 : 404);
                break;
            default:
                DescribeHuman(ref e, user, rng, sessionStarts);
                break;
        }
    }

    /// <summary>
    /// A session opens with a landing page (always 200, so it is the warehouse's landing page too) reached by a channel;
    /// each page is followed by its assets (more on the first, when the cache is cold), then the next page links from it.
    /// </summary>
    private static void DescribeHuman(ref SyntheticEvent e, UserCursor user, DeterministicRandom rng, bool sessionStarts)
    {
        if (sessionStarts)
        {
            var page = PickPage(rng);
            int campaign = 0, referrer, referrerPage = 0;
            var roll = rng.Next(100);
            if (roll < 14)
            {
                campaign = 1 + rng.Next(Campaigns.Length);
                referrer = Campaigns[campaign - 1].Referrer;
            }
            else if (roll < 44)
            {
                referrer = NoReferrer;
            }
            else if (roll < 70)
            {
                referrer = 2 + SearchReferrers[rng.Next(SearchReferrers.Length)];
            }
            else if (roll < 80)
            {
                referrer = 2 + SocialReferrers[rng.Next(SocialReferrers.Length)];
            }
            else if (roll < 92)
            {
                referrer = 2 + OtherReferrers[rng.Next(OtherReferrers.Length)];
            }
            else
            {
                // A tab left open past the session gap: the next click comes from the site itself.
                referrer = InternalReferrer;
                referrerPage = PickPage(rng);
            }
            e.Kind = Page;
            e.Target = Pack(page, campaign, referrer, referrerPage);
            e.Variant = Status(200);
            user.Recent[0] = page;
            user.Recent[1] = 2 + rng.Next(4);
            return;
        }
        if (user.Recent[1] > 0)
        {
            user.Recent[1]--;
            e.Kind = Asset;
            e.Target = Pack(rng.Next(Assets.Length), 0, InternalReferrer, user.Recent[0]);
            e.Variant = Status(rng.Next(100) switch { < 80 => 200, < 97 => 304, < 99 => 404, _ => 206 });
            return;
        }
        if (rng.Chance(0.04))
        {
            e.Kind = Login;
            e.Target = Pack(0, 0, InternalReferrer, user.Recent[0]);
            e.Variant = Status(rng.Chance(0.8) ? 302 : 200);
            return;
        }
        var next = PickPage(rng);
        e.Kind = Page;
        e.Target = Pack(next, 0, InternalReferrer, user.Recent[0]);
        e.Variant = Status(rng.Next(1000) switch
        {
            < 900 => 200, < 920 => 301, < 930 => 302, < 960 => 304, < 980 => 404, < 985 => 403, < 990 => 400, < 997 => 500, _ => 503,
        });
        user.Recent[0] = next;
        user.Recent[1] = rng.Next(3);
    }

    /// <summary>The count side: sessions by the channel of their landing request, the first counted request of each.</summary>
    protected override void Observe(in SyntheticEvent e, UserCursor user, bool startsSession)
    {
        if (startsSession)
        {
            _sessionsByChannel[(int)ChannelOf(e.Target)]++;
        }
    }

    protected override void WriteEvent(AsciiLineWriter writer, in SyntheticEvent e)
    {
        var (visitor, _) = Profile(e.UserIndex);
        var zone = Zones[e.Zone];
        var status = Statuses[e.Variant];
        WriteAddress(writer, e.UserIndex);
        writer.Write(" - "u8);
        if (visitor == Visitor.Authenticated)
        {
            // Distinct users get distinct names: a label, then the scrambled user number.
            writer.Write(AuthNames[e.UserIndex % AuthNames.Length]);
            writer.WriteNumber(DeterministicRandom.Scramble((ulong)e.UserIndex, 32, _profileKey));
            _authenticated++;
        }
        else
        {
            writer.Write((byte)'-');
        }
        writer.Write(" ["u8);
        writer.WriteApacheDateTime(e.AtMicros, zone.Minutes);
        writer.Write((byte)' ');
        writer.Write(zone.Text);
        writer.Write("] \""u8);
        var page = (int)(e.Target & 0x3FF);
        var campaign = (e.Target >> 10) & 0xF;
        var referrer = (e.Target >> 14) & 0x3F;
        writer.Write(e.Kind switch { Login => "POST "u8, Head => "HEAD "u8, _ => "GET "u8 });
        switch (e.Kind)
        {
            case Asset:
                writer.Write(Assets[page].Path);
                break;
            case RobotsTxt:
                writer.Write("/robots.txt"u8);
                break;
            case Login:
                writer.Write("/login"u8);
                break;
            case Head or Health:
                writer.Write(e.Kind == Head ? "/"u8 : "/api/health"u8);
                break;
            default:
                WritePage(writer, page);
                if (campaign > 0)
                {
                    writer.Write(Campaigns[campaign - 1].Query);
                }
                break;
        }
        writer.Write(visitor is Visitor.Human or Visitor.Authenticated && (Mix(e.UserIndex) >> 40) % 10 < 3 ? " HTTP/2.0\" "u8 : " HTTP/1.1\" "u8);
        writer.WriteNumber((long)status);
        writer.Write((byte)' ');
        var bytes = ResponseBytes(e, status, page);
        if (bytes < 0)
        {
            writer.Write((byte)'-');
            _dashBytes++;
        }
        else
        {
            writer.WriteNumber(bytes);
        }
        writer.Write(" \""u8);
        if (referrer == NoReferrer)
        {
            writer.Write((byte)'-');
        }
        else if (referrer == InternalReferrer)
        {
            writer.Write(SiteOriginBytes);
            WritePage(writer, (int)((e.Target >> 20) & 0x3FF));
        }
        else
        {
            writer.Write(ExternalReferrers[referrer - 2].Url);
        }
        writer.Write("\" \""u8);
        writer.Write(Agents[e.Agent].Text);
        writer.Write((byte)'"');

        // The count side of every written line (duplicates included): what an independent reading of the file finds.
        _statusClasses[status / 100]++;
        if (zone.Minutes != 0)
        {
            _nonUtc++;
        }
        if (e.Agent >= FirstBot)
        {
            _botRequests++;
            _botsByFamily[Array.IndexOf(Families, Agents[e.Agent].Family)]++;
        }
        if (visitor == Visitor.RobotsTxtVisitor)
        {
            _robotsTxtVisitorRequests++;
        }
        if (e.Kind == RobotsTxt)
        {
            _robotsTxtRequests++;
        }
        if (e.Kind == Page && campaign > 0)
        {
            _campaignLandings++;
        }
        if (e.Kind == Asset)
        {
            _assetsByExtension[Array.IndexOf(Extensions, Assets[page].Extension)]++;
        }
        else if (status is >= 200 and < 400)
        {
            _pageViews++;
            if ((e.Flags & EventFlags.NoUser) == 0)
            {
                _humanPageViews++;
            }
        }
    }

    protected override void WriteMalformed(AsciiLineWriter writer, in SyntheticEvent e) =>
        throw new InvalidOperationException("the access log writes no malformed lines");

    private static int Pack(int page, int campaign, int referrer, int referrerPage) =>
        page | campaign << 10 | referrer << 14 | referrerPage << 20;

    private static Channel ChannelOf(int target)
    {
        var referrer = (target >> 14) & 0x3F;
        return ((target >> 10) & 0xF) != 0 ? Channel.Campaign
            : referrer == NoReferrer ? Channel.Direct
            : referrer == InternalReferrer ? Channel.Internal
            : ExternalReferrers[referrer - 2].Channel;
    }

    private static int[] ReferrersOf(Channel channel) =>
        [.. Enumerable.Range(0, ExternalReferrers.Length).Where(i => ExternalReferrers[i].Channel == channel)];

    private static byte Status(int code) => (byte)Array.IndexOf(Statuses, code);

    /// <summary>Fixed pages half the time (the home page most), product pages the rest.</summary>
    private static int PickPage(DeterministicRandom rng) => rng.Chance(0.5)
        ? Math.Min(rng.Next(FixedPages.Length), rng.Next(FixedPages.Length))
        : FixedPages.Length + rng.Next(ProductPages);

    private static void WritePage(AsciiLineWriter writer, int page)
    {
        if (page < FixedPages.Length)
        {
            writer.Write(FixedPages[page]);
            return;
        }
        writer.Write("/products/"u8);
        writer.WriteNumber((long)(1000 + page - FixedPages.Length));
    }

    /// <summary>'-' (as -1) where Apache logs no body: a 304 and a HEAD; otherwise a size fixed per file, varying per page view.</summary>
    private static long ResponseBytes(in SyntheticEvent e, int status, int page)
    {
        if (status == 304 || e.Kind == Head)
        {
            return -1;
        }
        return status switch
        {
            301 or 302 => 230 + page % 10,
            >= 400 => 196 + status % 100 * 3,
            _ when e.Kind == Asset => status == 206 ? Assets[page].Bytes / 4 : Assets[page].Bytes,
            _ when e.Kind is RobotsTxt => 94,
            _ when e.Kind is Health => 17,
            _ => 6_000 + (long)(DeterministicRandom.Mix((ulong)page) % 40_000) + (long)(DeterministicRandom.Mix((ulong)e.Serial) % 800),
        };
    }

    /// <summary>What kind of client a user is and its one agent, from the user number alone (the same on every line).</summary>
    private (Visitor Visitor, byte Agent) Profile(long userIndex)
    {
        var h = Mix(userIndex);
        var visitor = (h % 1000) switch
        {
            < 25 => Visitor.Bot,
            < 35 => Visitor.Tool,
            < 40 => Visitor.RobotsTxtVisitor,
            < 70 => Visitor.Authenticated,
            _ => Visitor.Human,
        };
        var pick = (int)((h >> 10) & 0xFFFF);
        var agent = visitor switch
        {
            Visitor.Bot => FirstBot + pick % (FirstTool - FirstBot),
            Visitor.Tool => FirstTool + pick % (Agents.Length - FirstTool),
            _ => Math.Min(pick % FirstBot, (pick >> 8) % FirstBot),
        };
        return (visitor, (byte)agent);
    }

    private ulong Mix(long userIndex) => DeterministicRandom.Mix(_profileKey ^ (ulong)userIndex);

    /// <summary>
    /// One address per user: a bijection of the user number into IPv4, or into IPv6 for one user in ten and for those
    /// whose IPv4 would be one a public client cannot have (0/8, 10/8, 127/8, multicast and above).
    /// </summary>
    private bool IsIpv6(long userIndex)
    {
        var first = DeterministicRandom.Scramble((ulong)userIndex, 32, _ipv4Key) >> 24;
        return first is 0 or 10 or 127 or >= 224 || (Mix(userIndex) >> 30) % 10 == 0;
    }

    private void WriteAddress(AsciiLineWriter writer, long userIndex)
    {
        if (!IsIpv6(userIndex))
        {
            var v4 = DeterministicRandom.Scramble((ulong)userIndex, 32, _ipv4Key);
            for (var shift = 24; shift >= 0; shift -= 8)
            {
                writer.WriteNumber((long)((v4 >> shift) & 0xFF));
                if (shift > 0)
                {
                    writer.Write((byte)'.');
                }
            }
            return;
        }
        var v6 = DeterministicRandom.Scramble((ulong)userIndex, 64, _ipv6Key);
        writer.Write("2a02:"u8);
        WriteGroup(writer, v6 >> 48);
        writer.Write((byte)':');
        WriteGroup(writer, (v6 >> 32) & 0xFFFF);
        writer.Write((byte)':');
        WriteGroup(writer, (v6 >> 16) & 0xFFFF);
        writer.Write("::"u8);
        WriteGroup(writer, v6 & 0xFFFF);
    }

    /// <summary>An IPv6 group as RFC 5952 writes it: lowercase hex without leading zeros.</summary>
    private static void WriteGroup(AsciiLineWriter writer, ulong group)
    {
        var started = false;
        for (var shift = 12; shift >= 0; shift -= 4)
        {
            var digit = (int)((group >> shift) & 0xF);
            if (digit != 0 || started || shift == 0)
            {
                writer.Write((byte)"0123456789abcdef"[digit]);
                started = true;
            }
        }
    }
}

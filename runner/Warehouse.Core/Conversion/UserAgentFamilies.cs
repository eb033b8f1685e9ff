namespace Warehouse.Core.Conversion;

/// <summary>The three families derived from one user-agent string.</summary>
public readonly record struct UserAgentFamily(string Browser, string Os, string Device)
{
    public bool IsBot => Device == UserAgentFamilies.SpiderDevice;
}

/// <summary>
/// Our own small rule table from a raw user-agent to browser, OS and device families. Family names follow
/// ua-parser's (the de-facto vocabulary: "Mobile Safari", "Mac OS X", "Spider", "Other"), so marts stay comparable
/// with tools that use it, but the table is deliberately coarse: families, no versions, no device models beyond
/// Apple's and Samsung's. Each table is tried top to bottom and the FIRST matching rule wins, so rule order carries
/// meaning: user agents lie by copying each other's tokens (every Chrome says "Safari", every Edge says "Chrome",
/// every iPhone says "like Mac OS X", every Android says "Linux", many crawlers embed a whole browser string), hence
/// the more specific product always comes before the one it imitates. Matching is case-insensitive substring search.
/// An unknown or empty agent is "Other" in all three.
/// </summary>
public static class UserAgentFamilies
{
    public const string Other = "Other";
    public const string SpiderDevice = "Spider";

    private sealed record Rule(string Family, Func<string, bool> Matches);

    private static readonly string[] GenericBotTokens =
    [
        "bot", "spider", "crawl", "slurp", "archiver", "feed", "rss", "fetch", "scrape", "validator", "link sleuth",
        "curl/", "wget/", "python-", "python/", "java/", "libwww", "http_request", "httpclient", "go-http-client",
        "okhttp", "ruby", "perl", "php/", "nutch", "embedly", "ia_archiver", "phantomjs", "headlesschrome",
        // Named crawlers without any of the words above (seen in real logs: moz.com's, LiveJournal's feed poller...).
        "ezooms", "siteexplorer", "livejournal.com", "distilator", "portscout", "binlar", "indy library",
    ];

    /// <summary>Crawlers and automated clients; a match makes the device "Spider".</summary>
    private static readonly Rule[] BotRules =
    [
        // First of all: bots impersonate browsers (Googlebot's smartphone agent is a complete iPhone Safari agent).
        new("Googlebot", ua => Has(ua, "Googlebot")),
        new("Bingbot", ua => Has(ua, "bingbot") || Has(ua, "msnbot") || Has(ua, "BingPreview")),
        new("Yahoo! Slurp", ua => Has(ua, "Yahoo! Slurp")),
        new("Baiduspider", ua => Has(ua, "Baiduspider")),
        new("YandexBot", ua => Has(ua, "YandexBot") || Has(ua, "YandexImages")),
        new("DuckDuckBot", ua => Has(ua, "DuckDuckBot")),
        new("FeedFetcher-Google", ua => Has(ua, "Feedfetcher-Google")),
        new("FacebookBot", ua => Has(ua, "facebookexternalhit")),
        new("Twitterbot", ua => Has(ua, "Twitterbot")),
        new("AhrefsBot", ua => Has(ua, "AhrefsBot")),
        // Generic: crawlers, feed fetchers, link checkers and HTTP libraries. Tokens are chosen so that no real
        // browser contains them ("feed" is in feed readers' agents, never in a browser's).
        new("Other Bot", ua => HasAny(ua, GenericBotTokens)),
    ];

    private static readonly Rule[] BrowserRules =
    [
        // Edge (Chromium) sends "Chrome/... Safari/... Edg/", old Edge "Chrome/... Edge/": before Chrome and Safari.
        new("Edge", ua => Has(ua, "Edg/") || Has(ua, "Edge/") || Has(ua, "EdgA/") || Has(ua, "EdgiOS/")),
        // Opera Mini before Opera; Opera (Blink) sends "Chrome/... OPR/": before Chrome.
        new("Opera Mini", ua => Has(ua, "Opera Mini")),
        new("Opera", ua => Has(ua, "OPR/") || Has(ua, "Opera")),
        // Chromium-based browsers that keep the "Chrome/" token: before Chrome.
        new("Samsung Internet", ua => Has(ua, "SamsungBrowser/")),
        new("Yandex Browser", ua => Has(ua, "YaBrowser/")),
        new("UC Browser", ua => Has(ua, "UCBrowser/")),
        new("Amazon Silk", ua => Has(ua, "Silk/")),
        new("Chromium", ua => Has(ua, "Chromium/")),
        // Chrome and Firefox on iOS are WebKit wearing another name: before Mobile Safari.
        new("Chrome Mobile iOS", ua => Has(ua, "CriOS/")),
        new("Firefox iOS", ua => Has(ua, "FxiOS/")),
        // IE: "MSIE n" up to 10, "Trident/7.0; rv:11.0 like Gecko" for 11 (no "Firefox/", but "Gecko": before Firefox
        // only matters for readers of this list, the tokens do not overlap).
        new("IE", ua => Has(ua, "MSIE ") || Has(ua, "Trident/")),
        new("Firefox Mobile", ua => Has(ua, "Firefox/") && (Has(ua, "Mobile") || Has(ua, "Tablet") || Has(ua, "Android"))),
        new("Firefox", ua => Has(ua, "Firefox/")),
        // Android's WebView says "Version/4.0 Chrome/..." (or "; wv)"): before Chrome Mobile.
        new("Chrome Mobile WebView", ua => Has(ua, "Android") && Has(ua, "Chrome/") && (Has(ua, "; wv)") || Has(ua, "Version/"))),
        new("Chrome Mobile", ua => Has(ua, "Chrome/") && Has(ua, "Mobile")),
        // Every Chrome also says "Safari/": before Safari.
        new("Chrome", ua => Has(ua, "Chrome/")),
        // The old stock Android browser is "Version/4.0 Mobile Safari" on Android: before Mobile Safari.
        new("Android", ua => Has(ua, "Android") && Has(ua, "Safari")),
        new("Mobile Safari", ua => IsAppleMobile(ua) && Has(ua, "Safari") && !Has(ua, "GSA/")),
        // An app's embedded web view on iOS sends the WebKit agent without "Safari".
        new("Mobile Safari UI/WKWebView", ua => IsAppleMobile(ua) && Has(ua, "AppleWebKit")),
        new("Safari", ua => Has(ua, "Safari/") && Has(ua, "Version/")),
    ];

    private static readonly Rule[] OsRules =
    [
        // Windows Phone says "Android" and "iPhone" in newer agents: first.
        new("Windows Phone", ua => Has(ua, "Windows Phone") || Has(ua, "Windows Mobile")),
        // iOS agents say "like Mac OS X": before Mac OS X.
        new("iOS", ua => IsAppleMobile(ua)),
        // Android and Chrome OS agents say "Linux": before Linux.
        new("Android", ua => Has(ua, "Android")),
        new("Chrome OS", ua => Has(ua, "CrOS")),
        new("Windows", ua => Has(ua, "Windows")),
        new("Mac OS X", ua => Has(ua, "Mac OS X") || Has(ua, "Macintosh")),
        // Distributions (Ubuntu, Fedora...) are folded into Linux: the marts want the platform, not the distro.
        new("Linux", ua => Has(ua, "Linux") || Has(ua, "Ubuntu") || Has(ua, "X11")),
    ];

    /// <summary>The families of one user-agent; null, empty or unknown gives "Other".</summary>
    public static UserAgentFamily Classify(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return new UserAgentFamily(Other, Other, Other);
        }
        var os = FirstMatch(OsRules, userAgent) ?? Other;
        var bot = FirstMatch(BotRules, userAgent);
        if (bot is not null)
        {
            return new UserAgentFamily(bot, os, SpiderDevice);
        }
        return new UserAgentFamily(FirstMatch(BrowserRules, userAgent) ?? Other, os, Device(userAgent));
    }

    /// <summary>
    /// Device, as ua-parser reports it: Apple's product names, "Samsung SM-G960F" style for Samsung (the model is
    /// in the agent), otherwise generic phone/tablet; desktops are "Other".
    /// </summary>
    private static string Device(string ua)
    {
        // An iPod touch says "iPod; CPU iPhone OS": iPod before iPhone.
        if (Has(ua, "iPad"))
        {
            return "iPad";
        }
        if (Has(ua, "iPod"))
        {
            return "iPod";
        }
        if (Has(ua, "iPhone"))
        {
            return "iPhone";
        }
        if (Has(ua, "Kindle") || Has(ua, "Silk/"))
        {
            return "Kindle";
        }
        if (SamsungModel(ua) is { } model)
        {
            return model.Length > 0 ? "Samsung " + model : "Samsung";
        }
        if (Has(ua, "Android"))
        {
            // Android phones send "Mobile"; tablets do not (Google's own guidance to browser makers).
            return Has(ua, "Mobile") ? "Generic Smartphone" : "Generic Tablet";
        }
        if (Has(ua, "Windows Phone") || Has(ua, "Windows Mobile") || Has(ua, "Opera Mini"))
        {
            return "Generic Smartphone";
        }
        if (Has(ua, "MIDP") || Has(ua, "WAP Browser"))
        {
            return "Generic Feature Phone";
        }
        return Other;
    }

    /// <summary>A Samsung model number such as SM-G960F or GT-I9300, when the agent is a Samsung device.</summary>
    private static string? SamsungModel(string ua)
    {
        foreach (var prefix in (ReadOnlySpan<string>)["SM-", "GT-", "SGH-", "SCH-"])
        {
            var at = ua.IndexOf(prefix, StringComparison.Ordinal);
            // Only as a token of its own ("; SM-G960F Build", "SAMSUNG-GT-E2232/1.0"), not inside another word.
            if (at >= 0 && (at == 0 || ua[at - 1] is ' ' or ';' or '-' or '('))
            {
                var end = at;
                while (end < ua.Length && (char.IsAsciiLetterOrDigit(ua[end]) || ua[end] == '-'))
                {
                    end++;
                }
                return ua[at..end];
            }
        }
        return Has(ua, "SAMSUNG") && Has(ua, "Android") ? "" : null;
    }

    private static bool IsAppleMobile(string ua) => Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod");

    private static string? FirstMatch(Rule[] rules, string ua)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(ua))
            {
                return rule.Family;
            }
        }
        return null;
    }

    private static bool Has(string ua, string token) => ua.Contains(token, StringComparison.OrdinalIgnoreCase);

    private static bool HasAny(string ua, string[] tokens)
    {
        foreach (var token in tokens)
        {
            if (Has(ua, token))
            {
                return true;
            }
        }
        return false;
    }
}

using Warehouse.Core.Conversion;

namespace Warehouse.Tests.Conversion;

public sealed class UserAgentFamiliesTests
{
    /// <summary>The user agent of an Apache combined-log line: its last quoted field.</summary>
    private static string UserAgentOf(string logLine)
    {
        var end = logLine.LastIndexOf('"');
        var start = logLine.LastIndexOf('"', end - 1);
        return logLine[(start + 1)..end];
    }

    private static readonly Lazy<string[]> AccessLog = new(() => File.ReadAllLines(SharedDataFiles.ApacheAccessLog));

    // Real lines of /work/shared/data/apache/access.log, picked by hand (line number, a piece of the agent to be sure
    // it is the line meant, expected browser, OS and device).
    [Theory]
    [InlineData(33, "(compatible; Googlebot/2.1;", "Googlebot", "Other", "Spider")]
    [InlineData(31, "iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26", "Googlebot", "iOS", "Spider")]
    [InlineData(697, "bingbot/2.0", "Bingbot", "Other", "Spider")]
    [InlineData(245, "Yahoo! Slurp", "Yahoo! Slurp", "Other", "Spider")]
    [InlineData(35, "UniversalFeedParser", "Other Bot", "Other", "Spider")]
    [InlineData(590, "iPhone OS 7_0_4 like Mac OS X", "Mobile Safari", "iOS", "iPhone")]
    [InlineData(1081, "iPad; CPU OS 7_0_4", "Mobile Safari", "iOS", "iPad")]
    [InlineData(2919, "iPod; CPU iPhone OS 6_1_5", "Mobile Safari", "iOS", "iPod")]
    [InlineData(401, "CriOS/32.0", "Chrome Mobile iOS", "iOS", "iPhone")]
    [InlineData(792, "Nexus 5 Build/KOT49H", "Chrome Mobile", "Android", "Generic Smartphone")]
    [InlineData(6496, "SM-N9005 Build", "Chrome Mobile", "Android", "Samsung SM-N9005")]
    [InlineData(2508, "GT-I9300 Build", "Android", "Android", "Samsung GT-I9300")]
    [InlineData(963, "MSIE 9.0; Windows NT 6.1", "IE", "Windows", "Other")]
    [InlineData(1625, "MSIE 6.0; Windows NT 5.1", "IE", "Windows", "Other")]
    [InlineData(3935, "Trident/7.0; rv:11.0", "IE", "Windows", "Other")]
    [InlineData(229, "rv:27.0) Gecko/20100101 Firefox/27.0", "Firefox", "Windows", "Other")]
    [InlineData(1, "Intel Mac OS X 10_9_1) AppleWebKit/537.36", "Chrome", "Mac OS X", "Other")]
    [InlineData(189, "Windows NT 6.1; WOW64) AppleWebKit/537.36", "Chrome", "Windows", "Other")]
    [InlineData(69, "Version/7.0.1 Safari", "Safari", "Mac OS X", "Other")]
    [InlineData(232, "Ubuntu Chromium/32", "Chromium", "Linux", "Other")]
    [InlineData(6275, "OPR/19.0", "Opera", "Windows", "Other")]
    [InlineData(1788, "Opera Mini/7.0.3", "Opera Mini", "iOS", "iPhone")]
    [InlineData(44, "-", "Other", "Other", "Other")]
    public void Classify_RealAgentsFromTheApacheLog_GiveTheKnownFamilies(int lineNumber, string agentPiece, string browser, string os, string device)
    {
        var agent = UserAgentOf(AccessLog.Value[lineNumber - 1]);
        Assert.Contains(agentPiece, agent, StringComparison.Ordinal);
        Assert.Equal(new UserAgentFamily(browser, os, device), UserAgentFamilies.Classify(agent));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Edge", "Windows", "Other")]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet", "Android", "Samsung SM-S911B")]
    [InlineData("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome", "Chrome OS", "Other")]
    [InlineData("Mozilla/5.0 (Linux; Android 9; SM-T820) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "Chrome", "Android", "Samsung SM-T820")]
    [InlineData("Mozilla/5.0 (Linux; Android 12; Lenovo TB-X606F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "Chrome", "Android", "Generic Tablet")]
    [InlineData("Mozilla/5.0 (Android 13; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Firefox Mobile", "Android", "Generic Smartphone")]
    [InlineData("curl/7.22.0 (i686-pc-linux-gnu) libcurl/7.22.0", "Other Bot", "Linux", "Spider")]
    [InlineData("", "Other", "Other", "Other")]
    [InlineData("something nobody knows", "Other", "Other", "Other")]
    public void Classify_ModernAndEdgeCaseAgents_FollowRuleOrder(string agent, string browser, string os, string device) =>
        Assert.Equal(new UserAgentFamily(browser, os, device), UserAgentFamilies.Classify(agent));

    [Fact]
    public void Classify_WholeApacheLog_LeavesOtherAMinority()
    {
        var agents = AccessLog.Value.Select(UserAgentOf).ToList();
        var families = agents.Select(UserAgentFamilies.Classify).ToList();
        var otherBrowsers = families.Count(f => f.Browser == UserAgentFamilies.Other);
        var otherOs = families.Count(f => f.Os == UserAgentFamilies.Other && !f.IsBot);
        Assert.Equal(10_000, agents.Count);
        // "-" alone is 190 lines, plus a tail of rare clients; a broken rule would push this far up.
        Assert.True(otherBrowsers < agents.Count * 5 / 100, $"{otherBrowsers} of {agents.Count} agents have browser Other");
        Assert.True(otherOs < agents.Count * 5 / 100, $"{otherOs} of {agents.Count} human agents have OS Other");
        // Sanity of the split itself: the log's top families are all present in bulk.
        var byBrowser = families.GroupBy(f => f.Browser).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(new[] { "Chrome", "Firefox", "Googlebot", "IE", "Safari", "Mobile Safari" },
            name => Assert.True(byBrowser.GetValueOrDefault(name) > 50, $"{name}: {byBrowser.GetValueOrDefault(name)}"));
    }
}

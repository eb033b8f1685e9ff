namespace Warehouse.Tests.Marts;

/// <summary>
/// marts.traffic_sources, marts.landing_pages and marts.http_status_daily (issue 18), from hand-written access log rows.
/// The site is shop.example: its own pages are the most frequent referrer, as in any real log.
/// </summary>
public sealed class AccessLogMartsTests
{
    private const string Site = "https://shop.example";

    [Fact]
    public async Task TrafficSources_GivesEachSessionOneChannel_CampaignWinningOverASearchReferrer()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(TrafficSources_GivesEachSessionOneChannel_CampaignWinningOverASearchReferrer));
        // One visitor (address) per session. The internal session's assets make shop.example the most frequent referrer.
        await db.AccessLogAsync(
        [
            new("2024-05-01T09:00:00Z", "/", Client: "198.51.100.1"),
            new("2024-05-01T09:00:00Z", "/pricing", Client: "198.51.100.2", Referrer: Site + "/"),
            new("2024-05-01T09:00:01Z", "/css/site.css", Client: "198.51.100.2", Referrer: Site + "/pricing"),
            new("2024-05-01T09:00:01Z", "/js/app.js", Client: "198.51.100.2", Referrer: Site + "/pricing"),
            new("2024-05-01T09:00:00Z", "/", Client: "198.51.100.3", Referrer: "https://www.google.com/search?q=shop"),
            new("2024-05-01T09:00:00Z", "/", Client: "198.51.100.4", Referrer: "https://l.facebook.com/l.php?u=x"),
            new("2024-05-01T09:00:00Z", "/spring", Client: "198.51.100.5", Referrer: "https://www.google.com/",
                Query: "utm_source=news&utm_medium=email&utm_campaign=spring"),
            new("2024-05-01T09:00:00Z", "/", Client: "198.51.100.6", Referrer: "https://blog.other.org:8443/post/1"),
            // a later page view of the search session does not change its channel, nor does a first request that is an asset
            new("2024-05-01T09:01:00Z", "/about", Client: "198.51.100.3", Referrer: Site + "/"),
            new("2024-05-02T23:59:00Z", "/img/a.png", Client: "198.51.100.7", Referrer: "https://www.bing.com/"),
            new("2024-05-02T23:59:30Z", "/", Client: "198.51.100.7", Query: "ref=x&utm_campaign=launch"),
        ]);

        Assert.Equal(
            [
                "2024-05-01 | campaign | www.google.com | news | email | spring | 1 | 1",
                "2024-05-01 | direct |  |  |  |  | 1 | 1",
                "2024-05-01 | internal | shop.example |  |  |  | 1 | 1",
                "2024-05-01 | referral | blog.other.org |  |  |  | 1 | 1",
                "2024-05-01 | search | www.google.com |  |  |  | 1 | 2",
                "2024-05-01 | social | l.facebook.com |  |  |  | 1 | 1",
                "2024-05-02 | campaign |  |  |  | launch | 1 | 1",
            ],
            await db.MartAsync("traffic_sources"));
    }

    [Fact]
    public async Task LandingPages_CountBouncesPagesPerSessionAndMedianDuration()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(LandingPages_CountBouncesPagesPerSessionAndMedianDuration));
        await db.AccessLogAsync(
        [
            // session 1 lands on /a: one page view and an asset a minute later (a bounce: assets are no page views), 60 s
            new("2024-05-01T10:00:00Z", "/a", Client: "203.0.113.1"),
            new("2024-05-01T10:01:00Z", "/img/x.png", Client: "203.0.113.1"),
            // session 2 lands on /a (its first request, a 404, is no page view) and views /b and /c: 300 s
            new("2024-05-01T10:00:00Z", "/gone", Status: 404, Client: "203.0.113.2"),
            new("2024-05-01T10:00:00Z", "/a", Client: "203.0.113.2", Query: "utm_source=x"),
            new("2024-05-01T10:01:40Z", "/b", Client: "203.0.113.2"),
            new("2024-05-01T10:05:00Z", "/c", Client: "203.0.113.2"),
            // session 3 lands on /b alone: a bounce of 0 s
            new("2024-05-01T11:00:00Z", "/b", Client: "203.0.113.3"),
            // session 4 has no page view: no landing page
            new("2024-05-01T12:00:00Z", "/img/x.png", Client: "203.0.113.4"),
        ]);

        Assert.Equal(
            [
                "/a | 2 | 1 | 0.500000 | 2.000000 | 180.000000",
                "/b | 1 | 1 | 1.000000 | 1.000000 | 0.000000",
            ],
            await db.MartAsync("landing_pages"));
    }

    [Fact]
    public async Task HttpStatusDaily_CountsEveryRequestByClass_WithTheBotsShare()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(HttpStatusDaily_CountsEveryRequestByClass_WithTheBotsShare));
        const string googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/"),
            new("2024-05-01T10:00:01Z", "/", Agent: googlebot),
            new("2024-05-01T10:00:02Z", "/robots.txt", Agent: googlebot),
            new("2024-05-01T10:00:03Z", "/", Agent: "curl/8.5.0"),
            new("2024-05-01T10:00:04Z", "/old", Status: 304),
            new("2024-05-01T10:00:05Z", "/nope", Status: 404, Agent: googlebot),
            new("2024-05-01T10:00:06Z", "/boom", Status: 500),
            // 23:30 at -05:00 is the next UTC day
            new("2024-05-01T23:30:00-05:00", "/"),
        ]);

        Assert.Equal(
            [
                "2024-05-01 | 2xx | 4 | 3 | 0.750000",
                "2024-05-01 | 3xx | 1 | 0 | 0.000000",
                "2024-05-01 | 4xx | 1 | 1 | 1.000000",
                "2024-05-01 | 5xx | 1 | 0 | 0.000000",
                "2024-05-02 | 2xx | 1 | 0 | 0.000000",
            ],
            await db.MartAsync("http_status_daily"));
    }

    [Theory]
    [InlineData("core.access_log_sessions", "session_id")]
    [InlineData("core.int_access_log_requests", "coalesce(load_id, 0), source_file, source_line")]
    [InlineData("marts.traffic_sources", "session_date, channel, coalesce(referring_domain, '(null)'), coalesce(utm_source, '(null)'), coalesce(utm_medium, '(null)'), coalesce(utm_campaign, '(null)')")]
    [InlineData("marts.landing_pages", "landing_page")]
    [InlineData("marts.http_status_daily", "request_date, status_class")]
    public async Task View_IsUniqueAndNotNullOnItsGrain(string view, string key)
    {
        var db = await WarehouseDatabase.CreateAsync("grain_" + view.Replace('.', '_'));
        // Two visitors, two days, several sessions, channels with and without a domain, a bot and an asset-only session.
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/", Client: "192.0.2.1", Referrer: Site + "/x"),
            new("2024-05-01T10:00:01Z", "/a.css", Client: "192.0.2.1", Referrer: Site + "/"),
            new("2024-05-01T12:00:00Z", "/", Client: "192.0.2.1"),
            new("2024-05-01T12:00:00Z", "/", Client: "192.0.2.2", Referrer: "https://www.google.com/"),
            new("2024-05-02T12:00:00Z", "/b", Client: "192.0.2.2", Query: "utm_source=a"),
            new("2024-05-02T13:00:00Z", "/b.png", Client: "192.0.2.2"),
            new("2024-05-02T13:00:00Z", "/", Client: "192.0.2.3", Agent: "bingbot/2.0", Status: 404),
        ]);

        var counts = await db.RowsAsync($"select count(*), count(distinct ({key})) from {view} where ({key}) is not null");
        var total = await db.RowsAsync($"select count(*) from {view}");

        var parts = counts.Single().Split(" | ");
        Assert.Equal(parts[0], parts[1]);
        Assert.Equal(total.Single(), parts[0]);
        Assert.NotEqual("0", parts[0]);
    }
}

using System.Net;
using System.Text.Json;
using Warehouse.Api;
using Warehouse.Core.Migrations;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>Every endpoint against the hand-made data set of <see cref="ApiTestData"/>, through the real HTTP pipeline.</summary>
public sealed class ApiEndpointTests(LoadedApi api) : IClassFixture<LoadedApi>
{
    private static Dictionary<string, long> Counts(JsonElement json) =>
        json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    [Fact]
    public async Task OrderMetrics_ReturnsTheMediansWorkedOutByHand()
    {
        var json = await api.GetJsonAsync("/metrics/order");

        // visits before each order: c1 1, c2 0, c3 2; minutes: 20, 0, 15
        Assert.Equal(1.0, json.GetProperty("median_visits_before_order").GetDouble());
        Assert.Equal(15.0, json.GetProperty("median_session_duration_minutes_before_order").GetDouble());
        Assert.Equal(2, json.EnumerateObject().Count());
    }

    [Fact]
    public async Task SessionsByKey_WithoutSource_SumsAllSourcesLargestFirst()
    {
        var json = await api.GetJsonAsync("/sessions/by/browser_family");

        // http_log has no families (24 sessions) and k2 has no user agent: both read as Other
        Assert.Equal(["Other", "Chrome", "Safari", "Chrome Mobile"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new Dictionary<string, long> { ["Other"] = 25, ["Chrome"] = 5, ["Safari"] = 2, ["Chrome Mobile"] = 1 }, Counts(json));
    }

    [Fact]
    public async Task SessionsByKey_WithSource_CountsThatSourceByFirstEventOnly()
    {
        var json = await api.GetJsonAsync("/sessions/by/device_family?source=webshop_events");

        Assert.Equal(new Dictionary<string, long> { ["Samsung"] = 3, ["Other"] = 2, ["iPhone"] = 1 }, Counts(json));
        Assert.Equal(["Samsung", "Other", "iPhone"], json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task SessionsByKey_ForEveryKey_MatchesTheMartSummedOverSources()
    {
        foreach (var key in QueryInput.GroupKeys)
        {
            var json = await api.GetJsonAsync($"/sessions/by/{key}");
            var total = await TestDatabase.ScalarAsync<decimal>(api.Database,
                $"select sum(sessions) from marts.sessions_by_key where group_key = '{key}'");
            Assert.Equal((long)total, Counts(json).Values.Sum());
        }
    }

    [Fact]
    public async Task DailySessions_ForOneSource_ReturnsItsDaysWithCountsAndMedian()
    {
        var json = await api.GetJsonAsync("/sessions/daily?source=webshop_events");

        var rows = json.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        AssertDay(rows[0], "webshop_events", "2024-03-01", sessions: 5, users: 2, events: 8, medianSeconds: 300);
        AssertDay(rows[1], "webshop_events", "2024-03-02", sessions: 1, users: 1, events: 2, medianSeconds: 600);
    }

    [Fact]
    public async Task DailySessions_WithoutSource_ReturnsEverySourceOrderedByDay()
    {
        var rows = (await api.GetJsonAsync("/sessions/daily")).EnumerateArray().ToList();

        Assert.Equal(
            [("2024-03-01", "clickstream"), ("2024-03-01", "device_events"), ("2024-03-01", "http_log"), ("2024-03-01", "webshop_events"),
             ("2024-03-02", "clickstream"), ("2024-03-02", "webshop_events")],
            rows.Select(r => (r.GetProperty("session_date").GetString(), r.GetProperty("source").GetString())));
        var http = rows.Single(r => r.GetProperty("source").GetString() == "http_log");
        AssertDay(http, "http_log", "2024-03-01", sessions: ApiTestData.HttpSessions, users: ApiTestData.HttpUsers, events: 27, medianSeconds: 0);
    }

    [Fact]
    public async Task DailySessionsByKey_ForOneSourceAndDay_ReturnsEachFamilyValueWithCountsAndMedian()
    {
        var rows = (await api.GetJsonAsync("/sessions/daily-by-key?key=os_family&source=webshop_events&from=2024-03-01&to=2024-03-01"))
            .EnumerateArray().ToList();

        // 2024-03-01: c3's three sessions start on Android (300, 600, 0 s), c1's two on Linux (1200, 0 s); c2 orders on 03-02
        Assert.Equal(["Android", "Linux"], rows.Select(r => r.GetProperty("group_value").GetString()));
        Assert.All(rows, r => Assert.Equal("os_family", r.GetProperty("group_key").GetString()));
        AssertDay(rows[0], "webshop_events", "2024-03-01", sessions: 3, users: 1, events: 5, medianSeconds: 300);
        AssertDay(rows[1], "webshop_events", "2024-03-01", sessions: 2, users: 1, events: 3, medianSeconds: 600);
    }

    [Fact]
    public async Task DailySessionsByKey_WithoutDays_ReturnsEveryDayAndANullFamilyAsNull()
    {
        var rows = (await api.GetJsonAsync("/sessions/daily-by-key?key=browser_family&source=clickstream")).EnumerateArray().ToList();

        // k1 starts on Safari on 03-01 (and moves to Chrome: the first event decides); k2 has no user agent on 03-02
        Assert.Equal(2, rows.Count);
        Assert.Equal("Safari", rows[0].GetProperty("group_value").GetString());
        AssertDay(rows[0], "clickstream", "2024-03-01", sessions: 1, users: 1, events: 2, medianSeconds: 600);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("group_value").ValueKind);
        AssertDay(rows[1], "clickstream", "2024-03-02", sessions: 1, users: 1, events: 1, medianSeconds: 0);
    }

    private static void AssertDay(JsonElement row, string source, string date, long sessions, long users, long events, double medianSeconds)
    {
        Assert.Equal(source, row.GetProperty("source").GetString());
        Assert.Equal(date, row.GetProperty("session_date").GetString());
        Assert.Equal(sessions, row.GetProperty("sessions").GetInt64());
        Assert.Equal(users, row.GetProperty("users").GetInt64());
        Assert.Equal(events, row.GetProperty("events").GetInt64());
        Assert.Equal(medianSeconds, row.GetProperty("median_duration_seconds").GetDouble());
    }

    [Fact]
    public async Task CampaignPerformance_ForOneUser_ShowsCampaignsRewardsAndWhetherAViewDroveTheReward()
    {
        var u01 = (await api.GetJsonAsync("/campaigns/performance?user_id=u01")).GetProperty("items").EnumerateArray().ToList();
        var u02 = (await api.GetJsonAsync("/campaigns/performance?user_id=u02")).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(2, u01.Count);
        Assert.Equal("u01", u01[0].GetProperty("user_id").GetString());
        Assert.Equal("2024-03-01T10:01:00Z", u01[0].GetProperty("session_start").GetString());
        Assert.Equal("2024-03-01T10:03:00Z", u01[0].GetProperty("session_end").GetString());
        Assert.Equal(["1", "2"], u01[0].GetProperty("campaigns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["9"], u01[0].GetProperty("rewards_issued").EnumerateArray().Select(e => e.GetString()));
        Assert.True(u01[0].GetProperty("reward_driven_by_campaign_view").GetBoolean());
        Assert.Empty(u01[1].GetProperty("campaigns").EnumerateArray());
        Assert.False(u01[1].GetProperty("reward_driven_by_campaign_view").GetBoolean());

        // the reward came before the view: not driven by it
        Assert.Equal(["9"], u02[0].GetProperty("rewards_issued").EnumerateArray().Select(e => e.GetString()));
        Assert.False(u02[0].GetProperty("reward_driven_by_campaign_view").GetBoolean());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(24)]
    public async Task CampaignPerformance_WalkingEveryPage_ReturnsEachRowOnceInOrder(int limit)
    {
        var expected = await ApiTestData.CampaignKeysAsync(api.Database);
        var seen = new List<(DateTime, string)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var path = $"/campaigns/performance?limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await api.GetJsonAsync(path);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, limit);
            seen.AddRange(items.Select(i => (i.GetProperty("session_start").GetDateTime().ToUniversalTime(), i.GetProperty("user_id").GetString()!)));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
            Assert.True(++pages <= ApiTestData.HttpSessions, "pagination does not end");
        }
        while (cursor is not null);

        Assert.Equal(ApiTestData.HttpSessions, expected.Count);
        Assert.Equal(expected, seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal((expected.Count + limit - 1) / limit, pages);
    }

    [Fact]
    public async Task CampaignPerformance_ByDefault_ReturnsUpTo100RowsAndNoCursorOnTheLastPage()
    {
        var page = await api.GetJsonAsync("/campaigns/performance");

        Assert.Equal(ApiTestData.HttpSessions, page.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task CampaignPerformance_WithTimeFrame_ReturnsSessionsStartingInFromInclusiveToExclusive()
    {
        var atNoon = await api.GetJsonAsync("/campaigns/performance?from=2024-03-01T12:00:00Z&to=2024-03-01T12:00:00.000001Z");
        var beforeNoon = await api.GetJsonAsync("/campaigns/performance?to=2024-03-01T12:00:00Z");
        var withOffset = await api.GetJsonAsync("/campaigns/performance?from=2024-03-01T11:02:00%2B01:00&to=2024-03-01T11:03:00%2B01:00");

        Assert.Equal(ApiTestData.HttpUsers, atNoon.GetProperty("items").GetArrayLength());
        Assert.All(atNoon.GetProperty("items").EnumerateArray(), i => Assert.Equal("2024-03-01T12:00:00Z", i.GetProperty("session_start").GetString()));
        Assert.Equal(ApiTestData.HttpUsers, beforeNoon.GetProperty("items").GetArrayLength());
        // 10:02 UTC: users 2, 6 and 10 (i % 4 == 2)
        Assert.Equal(["u02", "u06", "u10"], withOffset.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("user_id").GetString()));
    }

    [Fact]
    public async Task Health_WhenDatabaseIsCurrent_Returns200WithTheAppliedCount()
    {
        var json = await api.GetJsonAsync("/health");

        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Equal(MigrationSource.Load(TestDatabase.MigrationsDirectory).Count, json.GetProperty("applied_migrations").GetInt32());
    }

    [Fact]
    public async Task OpenApi_IsServedAtOpenApiJsonAndDescribesEveryEndpoint()
    {
        var json = await api.GetJsonAsync("/openapi.json");

        Assert.StartsWith("3.", json.GetProperty("openapi").GetString());
        var paths = json.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "/metrics/order", "/sessions/by/{key}", "/campaigns/performance", "/sessions/daily", "/sessions/daily-by-key", "/health",
            "/traffic/sources", "/traffic/landing-pages", "/traffic/status-daily",
        }, paths);
        var parameters = json.GetProperty("paths").GetProperty("/campaigns/performance").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["from", "to", "user_id", "limit", "cursor"], parameters);
        var trafficParameters = json.GetProperty("paths").GetProperty("/traffic/sources").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["from", "to"], trafficParameters);
    }

    [Theory]
    [InlineData("/traffic/landing-pages")]
    [InlineData("/traffic/status-daily")]
    public async Task TrafficEndpoints_WithoutAnAccessLog_ReturnEmptyLists(string path)
    {
        Assert.Equal(0, (await api.GetJsonAsync(path)).GetArrayLength());
    }

    [Fact]
    public async Task TrafficSources_WithoutAnAccessLog_ReturnsEmptyChannelsAndDays()
    {
        var json = await api.GetJsonAsync("/traffic/sources?from=2024-03-01&to=2024-03-02");

        Assert.Equal(0, json.GetProperty("channels").GetArrayLength());
        Assert.Equal(0, json.GetProperty("daily").GetArrayLength());
    }

    [Fact]
    public async Task Docs_ServesSwaggerUiPointedAtOpenApiJson()
    {
        using var page = await api.Client.GetAsync("/docs/index.html");
        var html = await page.Content.ReadAsStringAsync();
        using var config = await api.Client.GetAsync("/docs/index.js");
        var script = await config.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
        Assert.Contains("/openapi.json", script + html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_IsServedAtRootWithTheChartLibraryFromTheApp()
    {
        using var page = await api.Client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        using var chart = await api.Client.GetAsync("/lib/chart.umd.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("chart-families", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Contains("Chart", await chart.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

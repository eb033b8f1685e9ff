using System.Text.Json;
using Warehouse.Tests.Infrastructure;

namespace Warehouse.Tests.Api;

/// <summary>The access_log endpoints (issue 18) against the hand-made access log of <see cref="ApiTestData.AddAccessLogAsync"/>.</summary>
public sealed class ApiTrafficTests(LoadedTrafficApi api) : IClassFixture<LoadedTrafficApi>
{
    private static List<string> Channels(JsonElement json) =>
        [.. json.GetProperty("channels").EnumerateArray().Select(c =>
            $"{c.GetProperty("channel").GetString()} {c.GetProperty("sessions").GetInt64()} {c.GetProperty("page_views").GetInt64()}")];

    [Fact]
    public async Task TrafficSources_WithoutDates_SumsEveryDayPerChannelLargestFirst_AndGivesEachDay()
    {
        var json = await api.GetJsonAsync("/traffic/sources");

        Assert.Equal(["search 3 4", "campaign 1 2", "direct 1 2", "social 1 1"], Channels(json));
        // the two search sessions of 2024-03-02 come from different domains: one row for the day and channel
        Assert.Equal(
            ["2024-03-01 campaign 1", "2024-03-01 direct 1", "2024-03-01 search 1", "2024-03-02 search 2", "2024-03-02 social 1"],
            json.GetProperty("daily").EnumerateArray().Select(d =>
                $"{d.GetProperty("session_date").GetString()} {d.GetProperty("channel").GetString()} {d.GetProperty("sessions").GetInt64()}"));
    }

    [Fact]
    public async Task TrafficSources_WithFromAndTo_CountsSessionsStartingOnThoseDaysBothIncluded()
    {
        Assert.Equal(["search 2 3", "social 1 1"], Channels(await api.GetJsonAsync("/traffic/sources?from=2024-03-02&to=2024-03-02")));
        Assert.Equal(["campaign 1 2", "direct 1 2", "search 1 1"], Channels(await api.GetJsonAsync("/traffic/sources?to=2024-03-01")));
        Assert.Equal(["search 2 3", "social 1 1"], Channels(await api.GetJsonAsync("/traffic/sources?from=2024-03-02")));
        var none = await api.GetJsonAsync("/traffic/sources?from=2024-03-03");
        Assert.Empty(none.GetProperty("channels").EnumerateArray());
        Assert.Empty(none.GetProperty("daily").EnumerateArray());
    }

    [Fact]
    public async Task LandingPages_GivesTheMostVisitedFirstWithBounceRatePagesPerSessionAndMedianDuration()
    {
        var rows = (await api.GetJsonAsync("/traffic/landing-pages")).EnumerateArray().ToList();

        // "/": v1 (2 views, 120 s), v2 (1, 0 s), v5 (1, 0 s), v7 (2, 300 s); median of 0, 0, 120, 300 is 60
        Assert.Equal(
            ["/ 4 2 0.5 1.5 60", "/pricing 1 1 1 1 30", "/spring 1 0 0 2 60"],
            rows.Select(r => string.Join(' ', r.GetProperty("landing_page").GetString(), r.GetProperty("sessions").GetInt64(),
                r.GetProperty("bounces").GetInt64(), r.GetProperty("bounce_rate").GetDouble(), r.GetProperty("pages_per_session").GetDouble(),
                r.GetProperty("median_duration_seconds").GetDouble())));
    }

    [Fact]
    public async Task LandingPages_WithLimit_CutsAfterThatManyPagesTiesByPath()
    {
        var rows = (await api.GetJsonAsync("/traffic/landing-pages?limit=2")).EnumerateArray();

        Assert.Equal(["/", "/pricing"], rows.Select(r => r.GetProperty("landing_page").GetString()));
    }

    [Fact]
    public async Task StatusDaily_CountsEveryRequestPerDayAndClass_WithTheBotsShare()
    {
        var rows = (await api.GetJsonAsync("/traffic/status-daily")).EnumerateArray().ToList();
        var second = (await api.GetJsonAsync("/traffic/status-daily?from=2024-03-02&to=2024-03-02")).EnumerateArray().ToList();

        static string Row(JsonElement r) => string.Join(' ', r.GetProperty("request_date").GetString(), r.GetProperty("status_class").GetString(),
            r.GetProperty("requests").GetInt64(), r.GetProperty("bot_requests").GetInt64(), r.GetProperty("bot_share").GetDouble());
        // 2024-03-02: 5 requests of visitors and Googlebot's 2 of 7; the 404 alone in 4xx
        Assert.Equal(["2024-03-01 2xx 6 0 0", "2024-03-02 2xx 7 2 0.285714", "2024-03-02 4xx 1 0 0"], rows.Select(Row));
        Assert.Equal(["2024-03-02 2xx 7 2 0.285714", "2024-03-02 4xx 1 0 0"], second.Select(Row));
    }

    [Fact]
    public async Task TrafficEndpoints_MatchTheMartsReadAsTheOwner()
    {
        var sessions = await TestDatabase.ScalarAsync<long>(api.Database, "select cast(sum(sessions) as bigint) from marts.traffic_sources");
        var pages = await TestDatabase.ScalarAsync<long>(api.Database, "select count(*) from marts.landing_pages");
        var requests = await TestDatabase.ScalarAsync<long>(api.Database, "select cast(sum(requests) as bigint) from marts.http_status_daily");

        var sources = await api.GetJsonAsync("/traffic/sources");
        Assert.Equal(sessions, sources.GetProperty("channels").EnumerateArray().Sum(c => c.GetProperty("sessions").GetInt64()));
        Assert.Equal(sessions, sources.GetProperty("daily").EnumerateArray().Sum(c => c.GetProperty("sessions").GetInt64()));
        Assert.Equal(pages, (await api.GetJsonAsync("/traffic/landing-pages")).GetArrayLength());
        Assert.Equal(requests, (await api.GetJsonAsync("/traffic/status-daily")).EnumerateArray().Sum(r => r.GetProperty("requests").GetInt64()));
    }
}

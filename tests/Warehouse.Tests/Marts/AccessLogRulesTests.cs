using System.Security.Cryptography;
using System.Text;
using Warehouse.Core.Refresh;

namespace Warehouse.Tests.Marts;

/// <summary>
/// The access_log rules (core.int_access_log_requests, issue 18): visitors, bots, assets and page views, and how they
/// reach core.events and the sessions. Rows go straight into staging.access_log; expected values are worked out by hand.
/// </summary>
public sealed class AccessLogRulesTests
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
    private const string Safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1";

    [Fact]
    public async Task Bots_AreFlaggedByTheirAgent_WithTheNamedFamilyBeforeTheGenericWord()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Bots_AreFlaggedByTheirAgent_WithTheNamedFamilyBeforeTheGenericWord));
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/", Agent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            new("2024-05-01T10:00:01Z", "/", Agent: "Mozilla/5.0 (compatible; SomeCrawler/1.0)"),
            new("2024-05-01T10:00:02Z", "/", Agent: "curl/8.5.0"),
            new("2024-05-01T10:00:03Z", "/", Agent: "python-requests/2.31"),
            new("2024-05-01T10:00:04Z", "/", Agent: Firefox),
            new("2024-05-01T10:00:05Z", "/", Agent: null),
        ]);

        Assert.Equal(
            [
                "1 | true | Googlebot | crawler",
                "2 | true | Other bot | crawler",
                "3 | true | curl | tool",
                "4 | true | python-requests | tool",
                "5 | false |  | ",
                "6 | false |  | ",
            ],
            await db.RowsAsync("select source_line, is_bot, bot_family, bot_kind from core.int_access_log_requests order by source_line"));
        // only the two people are sessionized; staging keeps all six
        Assert.Equal(["5", "6"], await db.RowsAsync("select source_line from core.sessionized_events where source = 'access_log' order by source_line"));
        Assert.Equal(["6"], await db.RowsAsync("select count(*) from staging.access_log"));
    }

    [Fact]
    public async Task RobotsTxtVisitor_IsABotForAllItsRequests_EarlierOnesToo()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(RobotsTxtVisitor_IsABotForAllItsRequests_EarlierOnesToo));
        // The same address with another agent is another visitor, and a person.
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/index.html", Agent: "Mozilla/5.0 (compatible; Quiet/1.0)"),
            new("2024-05-01T10:05:00Z", "/robots.txt", Agent: "Mozilla/5.0 (compatible; Quiet/1.0)"),
            new("2024-05-01T10:06:00Z", "/about", Agent: "Mozilla/5.0 (compatible; Quiet/1.0)"),
            new("2024-05-01T10:00:00Z", "/index.html", Agent: Firefox),
        ]);

        Assert.Equal(
            ["1 | true | robots.txt visitor", "2 | true | robots.txt visitor", "3 | true | robots.txt visitor", "4 | false | "],
            await db.RowsAsync("select source_line, is_bot, bot_family from core.int_access_log_requests order by source_line"));
        Assert.Equal(["4"], await db.RowsAsync("select source_line from core.events where source = 'access_log'"));
    }

    [Fact]
    public async Task Assets_AreActivityButNotPageViews_AndErrorsAreTheirOwnType()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Assets_AreActivityButNotPageViews_AndErrorsAreTheirOwnType));
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/index.html"),
            new("2024-05-01T10:00:01Z", "/css/site.css"),
            new("2024-05-01T10:00:01Z", "/img/Logo.PNG"),
            new("2024-05-01T10:00:02Z", "/fonts/a.woff2"),
            new("2024-05-01T10:00:02Z", "/app.js", Status: 404),
            new("2024-05-01T10:10:00Z", "/v1.2/list"),
            new("2024-05-01T10:20:00Z", "/missing", Status: 404),
            new("2024-05-01T10:25:00Z", "/old", Status: 301),
            new("2024-05-01T10:26:00Z", "/favicon.ico"),
        ]);

        Assert.Equal(
            [
                "1 | page_view | true | false", "2 | asset | false | true", "3 | asset | false | true", "4 | asset | false | true",
                "5 | asset | false | true", "6 | page_view | true | false", "7 | error | false | false", "8 | page_view | true | false",
                "9 | asset | false | true",
            ],
            await db.RowsAsync("select source_line, event_type, is_page_view, is_asset from core.int_access_log_requests order by source_line"));
        // every request keeps the 30-minute session open: one session of nine events, three of them page views
        Assert.Equal(["access_log | 9 | 3 | 1560.000000"],
            await db.RowsAsync("select 'access_log', event_count, page_views, duration_seconds from core.access_log_sessions"));
    }

    [Fact]
    public async Task User_IsTheAuthenticatedUser_ElseAVisitorKeyOfAddressAndAgent()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(User_IsTheAuthenticatedUser_ElseAVisitorKeyOfAddressAndAgent));
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/", Client: "192.0.2.1", AuthUser: "alice"),
            new("2024-05-01T10:01:00Z", "/", Client: "2001:db8::7", Agent: Safari, AuthUser: "alice"),
            new("2024-05-01T10:00:00Z", "/", Client: "192.0.2.1", Agent: Firefox),
            new("2024-05-01T10:01:00Z", "/", Client: "192.0.2.1", Agent: Safari),
            new("2024-05-01T10:02:00Z", "/", Client: "192.0.2.1", Agent: null),
        ]);

        string[] expected =
        [
            "alice | 2",
            $"{VisitorKey("192.0.2.1", Firefox)} | 1",
            $"{VisitorKey("192.0.2.1", Safari)} | 1",
            $"{VisitorKey("192.0.2.1", "")} | 1",
        ];
        Assert.Equal(
            expected.Order(StringComparer.Ordinal),
            (await db.RowsAsync("select user_id, event_count from core.sessions where source = 'access_log'")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SessionGap_ForAccessLog_IsThirtyMinutes_AndSettable()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionGap_ForAccessLog_IsThirtyMinutes_AndSettable));
        // gaps of 29:59 and exactly 30:00
        await db.AccessLogAsync(
        [
            new("2024-05-01T10:00:00Z", "/"),
            new("2024-05-01T10:29:59Z", "/a"),
            new("2024-05-01T10:59:59Z", "/b"),
        ]);

        Assert.Equal(["1 | 2", "2 | 1"], await db.RowsAsync("select session_number, event_count from core.sessions order by session_number"));

        Assert.Equal(("access_log", 60), SessionGaps.Parse("access_log=60"));
        await db.SetSessionGapAsync("access_log", 7200);
        Assert.Equal(["1 | 3"], await db.RowsAsync("select session_number, event_count from core.sessions order by session_number"));
    }

    [Fact]
    public async Task SessionCountMarts_CoverTheAccessLog()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionCountMarts_CoverTheAccessLog));
        await db.AccessLogAsync([new("2024-05-01T10:00:00Z", "/"), new("2024-05-01T10:01:40Z", "/a")]);

        Assert.Equal(["access_log | 2024-05-01 | 1 | 1 | 2 | 100.000000"], await db.MartAsync("daily_sessions"));
        // the families come from the converter; these rows have none
        Assert.Equal(
            ["access_log | browser_family |  | 1", "access_log | device_family |  | 1", "access_log | os_family |  | 1"],
            await db.MartAsync("sessions_by_key"));
    }

    /// <summary>The visitor key as the model's comment states it: 'v:' || md5(client_address || '|' || user_agent).</summary>
    private static string VisitorKey(string client, string agent) =>
        "v:" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(client + "|" + agent)));
}

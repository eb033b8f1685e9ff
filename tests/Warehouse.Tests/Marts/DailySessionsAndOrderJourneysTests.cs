using System.Globalization;
using System.Text;

namespace Warehouse.Tests.Marts;

/// <summary>
/// marts.daily_sessions_by_key, marts.order_journeys and marts.order_metrics_daily on hand-worked events, read as an
/// analyst would, through the read-only login: a session crossing midnight whose family changes, a user with two
/// sessions on one day, a session without a user agent; orders whose medians over a month differ from the medians of
/// their days and from the all-time medians.
/// </summary>
public sealed class DailySessionsAndOrderJourneysTests(DailySessionsAndOrderJourneysTests.Data data)
    : IClassFixture<DailySessionsAndOrderJourneysTests.Data>
{
    private readonly string _reader = data.Reader;

    // device events (30-minute gap): user, time, browser / OS / device family (null: no user agent)
    private static readonly (string User, string At, string? Browser, string? Os, string? Device)[] DeviceEvents =
    [
        ("d1", "2024-03-01T23:50:00Z", "Chrome Mobile", "Android", "Pixel"),  // one session of 20 minutes over midnight:
        ("d1", "2024-03-02T00:10:00Z", "Firefox", "Android", "Pixel"),        // its first event decides family and day
        ("d1", "2024-03-02T09:00:00Z", "Firefox", "Android", "Pixel"),
        ("d2", "2024-03-01T10:00:00Z", "Chrome Mobile", "iOS", "iPhone"),     // 5 minutes
        ("d2", "2024-03-01T10:05:00Z", "Chrome Mobile", "iOS", "iPhone"),
        ("d2", "2024-03-01T15:00:00Z", "Chrome Mobile", "iOS", "iPhone"),     // d2's second session that day
        ("d3", "2024-03-01T12:00:00Z", null, null, null),
    ];

    // webshop events (30-minute gap): customer, time, type
    private static readonly (string Customer, string At, string Type)[] WebshopEvents =
    [
        ("w1", "2024-02-28T10:00:00Z", "page_view"),     // session 1: 20 minutes
        ("w1", "2024-02-28T10:20:00Z", "page_view"),
        ("w1", "2024-02-29T09:00:00Z", "placed_order"),  // session 2: order after 1 visit, 20 minutes
        ("w1", "2024-03-05T08:00:00Z", "page_view"),     // session 3: 10 minutes
        ("w1", "2024-03-05T08:10:00Z", "page_view"),
        ("w1", "2024-03-05T09:00:00Z", "placed_order"),  // session 4: order after 1 visit, 10 minutes
        ("w2", "2024-03-10T10:00:00Z", "placed_order"),  // session 1: order after no visit
        ("w2", "2024-03-10T10:05:00Z", "page_view"),
        ("w2", "2024-03-20T10:00:00Z", "page_view"),     // session 2: 15 minutes
        ("w2", "2024-03-20T10:15:00Z", "page_view"),
        ("w2", "2024-03-21T10:00:00Z", "page_view"),     // session 3: 0 minutes
        ("w2", "2024-03-21T12:00:00Z", "placed_order"),  // session 4: order after 2 visits, 15 minutes
        ("w2", "2024-03-25T10:00:00Z", "page_view"),     // after the last order: no order
    ];


    private static string Text(string? value) => value is null ? "null" : $"'{value}'";

    private Task<List<string>> RowsAsync(string sql) => AnalystDatabase.RowsAsync(_reader, sql);

    [Fact]
    public async Task DailySessionsByKey_CountsEachDayByTheFamilyOfTheSessionsFirstEvent()
    {
        var rows = await RowsAsync("""
            select to_char(session_date, 'YYYY-MM-DD'), group_value, sessions, users, events, median_duration_seconds
            from marts.daily_sessions_by_key
            where source = 'device_events' and group_key = 'browser_family'
            order by session_date, group_value nulls last
            """);

        Assert.Equal(
        [
            "2024-03-01,Chrome Mobile,3,2,5,300.000000",
            "2024-03-01,,1,1,1,0.000000",
            "2024-03-02,Firefox,1,1,1,0.000000",
        ], rows);
    }

    [Fact]
    public async Task DailySessionsByKey_SummedOverDays_IsSessionsByKey()
    {
        var byDay = await RowsAsync("""
            select source, group_key, coalesce(group_value, '-'), sum(sessions)
            from marts.daily_sessions_by_key
            group by source, group_key, coalesce(group_value, '-')
            order by 1, 2, 3
            """);
        var total = await RowsAsync("""
            select source, group_key, coalesce(group_value, '-'), sessions
            from marts.sessions_by_key
            order by 1, 2, 3
            """);

        Assert.Equal(total, byDay);
        Assert.Equal(12, total.Count); // device_events: three values of each key (one of them null); webshop_events: one of each
    }

    /// <summary>The README's query for "sessions by browser per day", as an analyst runs it.</summary>
    [Fact]
    public async Task ReadmeQuery_SessionsByBrowserPerDay()
    {
        var rows = await RowsAsync("""
            select session_date, group_value as browser_family, sum(sessions) as sessions
            from marts.daily_sessions_by_key
            where group_key = 'browser_family'
                and session_date between date '2024-03-01' and date '2024-03-07'
            group by session_date, group_value
            order by session_date, sessions desc, browser_family
            """);

        Assert.Equal(
        [
            "2024-03-01,Chrome Mobile,3",
            "2024-03-01,,1",
            "2024-03-02,Firefox,1",
            "2024-03-05,Chrome,2",
        ], rows);
    }

    [Fact]
    public async Task OrderJourneys_HasOneRowPerOrderWithTheVisitsAndMinutesSinceThePreviousOrder()
    {
        var rows = await RowsAsync("""
            select user_id, session_id, to_char(order_session_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI'),
                to_char(order_date, 'YYYY-MM-DD'), visits_before_order, minutes_before_order
            from marts.order_journeys
            order by order_session_start
            """);

        Assert.Equal(
        [
            "w1,webshop_events:w1:2,2024-02-29 09:00,2024-02-29,1,20",
            "w1,webshop_events:w1:4,2024-03-05 09:00,2024-03-05,1,10",
            "w2,webshop_events:w2:1,2024-03-10 10:00,2024-03-10,0,0",
            "w2,webshop_events:w2:4,2024-03-21 12:00,2024-03-21,2,15",
        ], rows);
    }

    [Fact]
    public async Task OrderMetrics_AreTheMediansOverEveryOrderJourney()
    {
        // visits 1, 1, 0, 2 and minutes 20, 10, 0, 15
        Assert.Equal(["1.000000,12.500000"], await RowsAsync(
            "select median_visits_before_order, median_session_duration_minutes_before_order from marts.order_metrics"));
    }

    [Fact]
    public async Task OrderMetricsDaily_GivesEachOrderDayItsOrdersAndMedians()
    {
        var rows = await RowsAsync("""
            select to_char(order_date, 'YYYY-MM-DD'), orders, median_visits_before_order, median_minutes_before_order
            from marts.order_metrics_daily
            order by order_date
            """);

        Assert.Equal(
        [
            "2024-02-29,1,1.000000,20.000000",
            "2024-03-05,1,1.000000,10.000000",
            "2024-03-10,1,0.000000,0.000000",
            "2024-03-21,1,2.000000,15.000000",
        ], rows);
    }

    /// <summary>
    /// The README's query for "median minutes before an order last month": March's orders took 10, 0 and 15 minutes, so
    /// 10, which neither the all-time median (12.5) nor a median of the days' medians over other frames would give.
    /// </summary>
    [Fact]
    public async Task ReadmeQuery_MedianMinutesBeforeAnOrderLastMonth()
    {
        var rows = await RowsAsync("""
            select
                count(*) as orders,
                percentile_cont(0.5) within group (order by minutes_before_order) as median_minutes_before_order
            from marts.order_journeys
            where order_date between date '2024-03-01' and date '2024-03-31'
            """);

        Assert.Equal(["3,10"], rows);
    }

    /// <summary>The events above, refreshed once into a database the class's tests only read, through the read-only login.</summary>
    public sealed class Data : IAsyncLifetime
    {
        public string Reader { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var sql = new StringBuilder();
            var line = 0;
            foreach (var (user, at, browser, os, device) in DeviceEvents)
            {
                sql.AppendLine(CultureInfo.InvariantCulture,
                    $"insert into staging.device_events values ('{user}', '{at}', 'screen_view', {Text(browser)}, {Text(os)}, {Text(device)}, 'device_events.jsonl', {++line});");
            }
            line = 0;
            foreach (var (customer, at, type) in WebshopEvents)
            {
                line++;
                sql.AppendLine(CultureInfo.InvariantCulture,
                    $"insert into staging.webshop_events values ({line}, '{type}', '{at}', '{customer}', null, null, 'Chrome', 'Windows', 'Other', null, 'webshop_events.jsonl', {line});");
            }
            Reader = await AnalystDatabase.CreateAsync(nameof(DailySessionsAndOrderJourneysTests), sql.ToString());
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

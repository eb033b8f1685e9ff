namespace Warehouse.Tests.Marts;

/// <summary>The session rules of issue 4 on a handful of staging rows each, read from core.sessions.</summary>
public sealed class SessionRulesTests
{
    private const string SessionsOf = "select user_id, session_number, session_start, session_end, event_count, duration_seconds from core.sessions where source = ";

    [Fact]
    public async Task Gap_OfExactlyTheThreshold_StartsANewSession()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Gap_OfExactlyTheThreshold_StartsANewSession));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /home 1001",
            "2019-08-27T10:05:00Z GET /home 1001");

        Assert.Equal(
            [
                "1001 | 1 | 2019-08-27T10:00:00Z | 2019-08-27T10:00:00Z | 1 | 0.000000",
                "1001 | 2 | 2019-08-27T10:05:00Z | 2019-08-27T10:05:00Z | 1 | 0.000000",
            ],
            await db.RowsAsync(SessionsOf + "'http_log' order by session_number"));
    }

    [Fact]
    public async Task Gap_OneMillisecondBelowTheThreshold_ContinuesTheSession()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Gap_OneMillisecondBelowTheThreshold_ContinuesTheSession));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /home 1001",
            "2019-08-27T10:04:59.999Z GET /home 1001");

        Assert.Equal(
            ["1001 | 1 | 2019-08-27T10:00:00Z | 2019-08-27T10:04:59.999Z | 2 | 299.999000"],
            await db.RowsAsync(SessionsOf + "'http_log'"));
    }

    [Fact]
    public async Task SourcesOtherThanTheHttpLog_UseThirtyMinutes()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SourcesOtherThanTheHttpLog_UseThirtyMinutes));
        // 29:59.999 continues, then exactly 30:00 starts the second session.
        await db.ClickstreamAsync(
            ("u42", "2019-04-09T00:00:00Z"),
            ("u42", "2019-04-09T00:29:59.999Z"),
            ("u42", "2019-04-09T00:59:59.999Z"));

        Assert.Equal(
            [
                "u42 | 1 | 2019-04-09T00:00:00Z | 2019-04-09T00:29:59.999Z | 2 | 1799.999000",
                "u42 | 2 | 2019-04-09T00:59:59.999Z | 2019-04-09T00:59:59.999Z | 1 | 0.000000",
            ],
            await db.RowsAsync(SessionsOf + "'clickstream' order by session_number"));
    }

    [Fact]
    public async Task SessionGapSetting_ChangesTheThreshold()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionGapSetting_ChangesTheThreshold));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /home 1001",
            "2019-08-27T10:02:00Z GET /home 1001");
        Assert.Equal(["1"], await db.RowsAsync("select count(*) from core.sessions"));

        await db.SetSessionGapAsync("http_log", 120);

        Assert.Equal(["2"], await db.RowsAsync("select count(*) from core.sessions"));
    }

    [Fact]
    public async Task SessionizedEvents_DeriveGapSecondsAndSessionIdOnRead()
    {
        // core.fct_sessionized_events does not store these three columns (V0063); core.sessionized_events derives them,
        // and the threshold must follow a change of the setting once the refresh has rebuilt the source.
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionizedEvents_DeriveGapSecondsAndSessionIdOnRead));
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /home 1001",
            "2019-08-27T10:02:00.25Z GET /home 1001");
        const string Derived = "select session_gap_seconds, seconds_since_previous_event, session_id from core.sessionized_events order by source_line";
        Assert.Equal(
            ["300 |  | http_log:1001:1", "300 | 120.250000 | http_log:1001:1"],
            await db.RowsAsync(Derived));

        await db.SetSessionGapAsync("http_log", 120);

        Assert.Equal(
            ["120 |  | http_log:1001:1", "120 | 120.250000 | http_log:1001:2"],
            await db.RowsAsync(Derived));
    }

    [Fact]
    public async Task TimestampTie_IsBrokenBySourceLine()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(TimestampTie_IsBrokenBySourceLine));
        // Inserted out of line order: line 1 must still come first, so its browser is the session's.
        await db.DeviceEventsAsync(
            new DeviceRow("84CC", "2019-04-09T01:00:00Z", Line: 2, Browser: "Chrome Mobile iOS"),
            new DeviceRow("84CC", "2019-04-09T01:00:00Z", Line: 1, Browser: "Mobile Safari"));

        Assert.Equal(
            ["1 | true | 1", "2 | false | 2"],
            await db.RowsAsync("select source_line, is_new_session, user_event_number from core.sessionized_events order by source_line"));
        Assert.Equal(["Mobile Safari"], await db.RowsAsync("select browser_family from core.sessions"));
    }

    [Fact]
    public async Task NullCustomer_IsKeptButNotSessionized()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(NullCustomer_IsKeptButNotSessionized));
        await db.WebshopEventsAsync(
            new WebshopRow("2022-04-28T07:00:00Z", null),
            new WebshopRow("2022-04-28T07:01:00Z", "5326"));

        Assert.Equal([" | 1", "5326 | 2"], await db.RowsAsync("select user_id, source_line from core.events order by source_line"));
        Assert.Equal(["5326 | 1"], await db.RowsAsync("select user_id, event_count from core.sessions"));
    }

    [Fact]
    public async Task Users_AndSources_AreSessionizedApart()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Users_AndSources_AreSessionizedApart));
        // Interleaved users do not bridge each other's gaps; the same id in another source is another user.
        await db.HttpLogAsync(
            "2019-04-09T00:00:00Z GET /home u1",
            "2019-04-09T00:03:00Z GET /home u2",
            "2019-04-09T00:06:00Z GET /home u1");
        await db.ClickstreamAsync(("u1", "2019-04-09T00:01:00Z"));

        Assert.Equal(
            ["clickstream:u1:1", "http_log:u1:1", "http_log:u1:2", "http_log:u2:1"],
            await db.RowsAsync("select session_id from core.sessions order by session_id"));
    }

    [Fact]
    public async Task AnyRequest_CountsAsActivity()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(AnyRequest_CountsAsActivity));
        // Campaign views 6:40 apart stay one session because a plain request falls between them.
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/1 1001",
            "2019-08-27T10:03:20Z POST /login 1001",
            "2019-08-27T10:06:40Z GET /campaigns/2 1001");

        Assert.Equal(["1001 | 1 | 2019-08-27T10:00:00Z | 2019-08-27T10:06:40Z | 3 | 400.000000"],
            await db.RowsAsync(SessionsOf + "'http_log'"));
    }
}

namespace Warehouse.Tests.Marts;

/// <summary>
/// A session threshold changed after sessions were materialised: the next refresh rebuilds them. The session rules
/// themselves are rule tests kept as data (tests/sql/core.sessions, tests/sql/core.sessionized_events).
/// </summary>
public sealed class SessionRulesTests
{
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
}

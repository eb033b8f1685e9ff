using Warehouse.Core.Refresh;

namespace Warehouse.Tests.Marts;

/// <summary>
/// The access_log session threshold changed after sessions were materialised. The access_log rules themselves (visitors,
/// bots, assets, page views) are rule tests kept as data (tests/sql/core.int_access_log_requests and others).
/// </summary>
public sealed class AccessLogRulesTests
{
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
}

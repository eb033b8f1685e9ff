namespace Warehouse.Tests.Marts;

/// <summary>Every core view and mart is unique and not null on its grain (the key check of the style guide).</summary>
public sealed class GrainTests
{
    [Theory]
    [InlineData("core.sessionized_events", "source, user_id, user_event_number")]
    [InlineData("core.sessionized_events", "session_id, user_event_number")]
    [InlineData("core.sessions", "session_id")]
    [InlineData("core.http_session_lists", "session_id")]
    [InlineData("marts.campaign_performance", "user_id, session_start")]
    [InlineData("marts.sessions_by_key", "source, group_key, coalesce(group_value, '(null)')")]
    [InlineData("marts.daily_sessions", "source, session_date")]
    [InlineData("marts.daily_sessions_by_key", "session_date, source, group_key, coalesce(group_value, '(null)')")]
    public async Task View_IsUniqueAndNotNullOnItsGrain(string view, string key)
    {
        var db = await WarehouseDatabase.CreateAsync("grain" + view.Replace('.', '_'));
        // Two sources, two users each, several sessions, a null family and a tie.
        await db.HttpLogAsync(
            "2019-08-27T10:00:00Z GET /campaigns/1 u1",
            "2019-08-27T10:00:00Z POST /rewards/2 u1",
            "2019-08-27T10:10:00Z GET /campaigns/1 u1",
            "2019-08-27T10:00:00Z GET /home u2");
        await db.DeviceEventsAsync(
            new DeviceRow("u1", "2019-04-09T00:00:00Z", 1),
            new DeviceRow("u1", "2019-04-09T01:00:00Z", 2, Browser: null),
            new DeviceRow("u2", "2019-04-10T00:00:00Z", 3));

        var counts = await db.RowsAsync(
            $"select count(*), count(distinct ({key})) from {view} where ({key}) is not null");
        var total = await db.RowsAsync($"select count(*) from {view}");

        var parts = counts.Single().Split(" | ");
        Assert.Equal(parts[0], parts[1]);
        Assert.Equal(total.Single(), parts[0]);
        Assert.NotEqual("0", parts[0]);
    }
}

namespace Warehouse.Tests.Marts;

/// <summary>Every core view and mart is unique and not null on its grain (the key check of the style guide).</summary>
public sealed class GrainTests(GrainTests.Data data) : IClassFixture<GrainTests.Data>
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
    public async Task View_IsUniqueAndNotNullOnItsGrain(string view, string key) =>
        await AssertUniqueAndNotNullAsync(data.Database, view, key);

    /// <summary>Every row of <paramref name="view"/> has a key, no two the same, and there is at least one row.</summary>
    internal static async Task AssertUniqueAndNotNullAsync(WarehouseDatabase db, string view, string key)
    {
        var counts = await db.RowsAsync(
            $"select count(*), count(*) filter (where ({key}) is not null), count(distinct ({key})) from {view}");

        var (total, keyed, distinct) = counts.Single().Split(" | ") is [var t, var k, var d] ? (t, k, d) : default;
        Assert.Equal(total, keyed);
        Assert.Equal(total, distinct);
        Assert.NotEqual("0", total);
    }

    /// <summary>Two sources, two users each, several sessions, a null family and a tie; refreshed once, read by every case.</summary>
    public sealed class Data : IAsyncLifetime
    {
        internal WarehouseDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await WarehouseDatabase.CreateAsync("grain");
            await Database.HttpLogAsync(
                "2019-08-27T10:00:00Z GET /campaigns/1 u1",
                "2019-08-27T10:00:00Z POST /rewards/2 u1",
                "2019-08-27T10:10:00Z GET /campaigns/1 u1",
                "2019-08-27T10:00:00Z GET /home u2");
            await Database.DeviceEventsAsync(
                new DeviceRow("u1", "2019-04-09T00:00:00Z", 1),
                new DeviceRow("u1", "2019-04-09T01:00:00Z", 2, Browser: null),
                new DeviceRow("u2", "2019-04-10T00:00:00Z", 3));
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

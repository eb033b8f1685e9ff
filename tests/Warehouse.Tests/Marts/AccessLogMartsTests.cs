namespace Warehouse.Tests.Marts;

/// <summary>
/// The access log views are unique and not null on their grain. Their rows are rule tests kept as data
/// (tests/sql/marts.traffic_sources, marts.landing_pages, marts.http_status_daily).
/// </summary>
public sealed class AccessLogMartsTests(AccessLogMartsTests.Data data) : IClassFixture<AccessLogMartsTests.Data>
{
    private const string Site = "https://shop.example";

    [Theory]
    [InlineData("core.access_log_sessions", "session_id")]
    [InlineData("core.int_access_log_requests", "coalesce(load_id, 0), source_file, source_line")]
    [InlineData("marts.traffic_sources", "session_date, channel, coalesce(referring_domain, '(null)'), coalesce(utm_source, '(null)'), coalesce(utm_medium, '(null)'), coalesce(utm_campaign, '(null)')")]
    [InlineData("marts.landing_pages", "landing_page")]
    [InlineData("marts.http_status_daily", "request_date, status_class")]
    public async Task View_IsUniqueAndNotNullOnItsGrain(string view, string key) =>
        await GrainTests.AssertUniqueAndNotNullAsync(data.Database, view, key);

    /// <summary>
    /// Two visitors, two days, several sessions, channels with and without a domain, a bot and an asset-only session;
    /// refreshed once, read by every case.
    /// </summary>
    public sealed class Data : IAsyncLifetime
    {
        internal WarehouseDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await WarehouseDatabase.CreateAsync("grain_access_log");
            await Database.AccessLogAsync(
            [
                new("2024-05-01T10:00:00Z", "/", Client: "192.0.2.1", Referrer: Site + "/x"),
                new("2024-05-01T10:00:01Z", "/a.css", Client: "192.0.2.1", Referrer: Site + "/"),
                new("2024-05-01T12:00:00Z", "/", Client: "192.0.2.1"),
                new("2024-05-01T12:00:00Z", "/", Client: "192.0.2.2", Referrer: "https://www.google.com/"),
                new("2024-05-02T12:00:00Z", "/b", Client: "192.0.2.2", Query: "utm_source=a"),
                new("2024-05-02T13:00:00Z", "/b.png", Client: "192.0.2.2"),
                new("2024-05-02T13:00:00Z", "/", Client: "192.0.2.3", Agent: "bingbot/2.0", Status: 404),
            ]);
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

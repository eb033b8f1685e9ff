using Warehouse.Core.Marts;
using Warehouse.Core.Refresh;
using Warehouse.Tests.Infrastructure;
using Warehouse.Tests.Marts;

namespace Warehouse.Tests.Incremental;

/// <summary>
/// The invariant of incremental refresh (issue 7) for the access_log rules: rows loaded in batches, in any order, with
/// an incremental refresh after each, give the marts of one full refresh; a robots.txt fetch that arrives after its
/// visitor was sessionized included.
/// </summary>
[Trait("Speed", "slow")] // property: the same log in several batch orders, each against a full refresh
public sealed class AccessLogIncrementalTests
{
    private const string Site = "https://shop.example";

    // Lines 1-12 of one log: channels, assets, a bounce, an agent bot, and a visitor (192.0.2.9) whose /robots.txt
    // fetch comes last.
    private static readonly AccessRow[] Log =
    [
        new("2024-05-01T09:00:00Z", "/", Client: "192.0.2.1", Referrer: "https://www.google.com/"),
        new("2024-05-01T09:00:01Z", "/site.css", Client: "192.0.2.1", Referrer: Site + "/"),
        new("2024-05-01T09:02:00Z", "/pricing", Client: "192.0.2.1", Referrer: Site + "/"),
        new("2024-05-01T09:00:00Z", "/spring", Client: "192.0.2.2", Query: "utm_source=news&utm_campaign=spring"),
        new("2024-05-01T09:00:00Z", "/", Client: "192.0.2.3", Agent: "Mozilla/5.0 (compatible; bingbot/2.0)"),
        new("2024-05-01T09:00:00Z", "/", Client: "192.0.2.9", Agent: "Quiet/1.0"),
        new("2024-05-01T09:40:00Z", "/pricing", Client: "192.0.2.1", Referrer: Site + "/"),
        new("2024-05-01T09:41:00Z", "/app.js", Client: "192.0.2.1", Referrer: Site + "/pricing"),
        new("2024-05-01T10:00:00Z", "/about", Client: "192.0.2.2", Referrer: "https://blog.other.org/"),
        new("2024-05-01T10:00:00Z", "/", Client: "192.0.2.4", Referrer: "https://l.facebook.com/"),
        new("2024-05-01T10:05:00Z", "/missing", Status: 404, Client: "192.0.2.4"),
        new("2024-05-01T11:00:00Z", "/robots.txt", Client: "192.0.2.9", Agent: "Quiet/1.0"),
    ];

    [Theory]
    [InlineData(new[] { 0, 5, 5, 9, 9, 12 })]
    [InlineData(new[] { 6, 12, 0, 6 })]
    [InlineData(new[] { 9, 12, 3, 9, 0, 3 })]
    public async Task Marts_AfterAccessLogBatchesInAnyOrder_EqualOneFullRefresh(int[] ranges)
    {
        var name = "al_incr_" + string.Join("_", ranges);
        var fullDb = await WarehouseDatabase.CreateAsync(name + "_full");
        await LoadAsync(fullDb, 1, 0, Log.Length);
        await new Refresher(fullDb.ConnectionString).RefreshAsync(new RefreshOptions { Full = true });
        var expected = await SnapshotAsync(fullDb.ConnectionString);
        Assert.NotEmpty(expected["traffic_sources"]);

        // each pair of numbers is a batch of lines [from, to), fed in the order given with a refresh after each
        var db = await WarehouseDatabase.CreateAsync(name);
        for (var i = 0; i < ranges.Length; i += 2)
        {
            await LoadAsync(db, i / 2 + 1, ranges[i], ranges[i + 1]);
            await new Refresher(db.ConnectionString).RefreshAsync([]);
        }

        var actual = await SnapshotAsync(db.ConnectionString);
        foreach (var (view, rows) in expected)
        {
            Assert.True(rows.SequenceEqual(actual[view]),
                $"{view} differs from the full refresh: expected [{string.Join(" / ", rows)}], got [{string.Join(" / ", actual[view])}]");
        }
    }

    [Fact]
    public async Task RobotsTxtFetch_LoadedAfterItsVisitorWasSessionized_RebuildsTheSourceWithoutThem()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(RobotsTxtFetch_LoadedAfterItsVisitorWasSessionized_RebuildsTheSourceWithoutThem));
        await LoadAsync(db, 1, 0, 11);
        await new Refresher(db.ConnectionString).RefreshAsync([]);
        var quiet = "select count(*) from core.sessions where user_id = (select user_id from core.int_access_log_requests where source_line = 6)";
        Assert.Equal(["1"], await BatchFeeder.RowsAsync(db.ConnectionString, quiet));

        await LoadAsync(db, 2, 11, 12);
        var result = await new Refresher(db.ConnectionString).RefreshAsync([]);

        Assert.Equal(["access_log"], result.RebuiltSources);
        Assert.Equal(["0"], await BatchFeeder.RowsAsync(db.ConnectionString, quiet));
    }

    /// <summary>Lines [from, to) of <see cref="Log"/> as load <paramref name="loadId"/>, recorded in the load manifest.</summary>
    private static async Task LoadAsync(WarehouseDatabase db, long loadId, int from, int to)
    {
        await TestDatabase.ExecuteAsync(db.ConnectionString, $"""
            insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id)
            values ('access.log', '{loadId.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(64, '0')}', 'access_log', {to - from}, now(), {loadId})
            """);
        await db.AccessLogAsync(Log[from..to], firstLine: from + 1, loadId: loadId);
    }

    private static async Task<Dictionary<string, List<string>>> SnapshotAsync(string connectionString)
    {
        var views = new Dictionary<string, List<string>>();
        var reader = new MartReader(connectionString);
        foreach (var mart in MartCatalog.Names)
        {
            var table = await reader.ReadAsync(mart);
            views[mart] = [.. table.Rows.Select(r => string.Join(" | ", r.Select(MartValues.Format))).Order(StringComparer.Ordinal)];
        }
        views["core.access_log_sessions"] = await BatchFeeder.RowsAsync(connectionString, "select * from core.access_log_sessions");
        views["core.sessionized_events"] = await BatchFeeder.RowsAsync(connectionString,
            "select session_id, user_event_number, source_file, source_line, event_type, is_new_session from core.sessionized_events");
        return views;
    }
}

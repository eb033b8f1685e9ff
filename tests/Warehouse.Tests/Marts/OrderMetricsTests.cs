namespace Warehouse.Tests.Marts;

/// <summary>marts.order_metrics: median_visits_before_order | median_session_duration_minutes_before_order.</summary>
public sealed class OrderMetricsTests
{
    /// <summary>One single-event session per hour (always a new session), placed_order where asked.</summary>
    private static WebshopRow[] HourlySessions(string customer, int count, params int[] orderSessions) =>
        [.. Enumerable.Range(1, count).Select(n => new WebshopRow(
            $"2022-04-28T{n:00}:00:00Z", customer, orderSessions.Contains(n) ? "placed_order" : "page_view"))];

    [Fact]
    public async Task OrdersInConsecutiveSessions_GiveZeroVisitsToTheSecond()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(OrdersInConsecutiveSessions_GiveZeroVisitsToTheSecond));
        // Orders in sessions 7 and 8: 6 and 0 visits before, median 3.
        await db.WebshopEventsAsync(HourlySessions("5326", 8, 7, 8));

        Assert.Equal(["3.000000 | 0.000000"], await db.MartAsync("order_metrics"));
    }

    [Fact]
    public async Task VisitsBeforeAnOrder_CountFromThePreviousOrderSession()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(VisitsBeforeAnOrder_CountFromThePreviousOrderSession));
        // Orders in sessions 2 and 5: 1 visit (session 1) and 2 visits (sessions 3, 4); median (1 + 2) / 2.
        await db.WebshopEventsAsync(HourlySessions("5326", 5, 2, 5));

        Assert.Equal(["1.500000 | 0.000000"], await db.MartAsync("order_metrics"));
    }

    [Fact]
    public async Task SessionsAfterTheLastOrder_AreNotAnOrder()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(SessionsAfterTheLastOrder_AreNotAnOrder));
        // One order, in the first session; sessions 2 and 3 lead to no order.
        await db.WebshopEventsAsync(HourlySessions("5326", 3, 1));

        Assert.Equal(["0.000000 | 0.000000"], await db.MartAsync("order_metrics"));
    }

    [Fact]
    public async Task MinutesBeforeAnOrder_SumTheEarlierSessionsDurationsOnly()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(MinutesBeforeAnOrder_SumTheEarlierSessionsDurationsOnly));
        // Sessions of 10 and 20 minutes, then an order session of 5 minutes: 30 minutes before the order.
        await db.WebshopEventsAsync(
            new WebshopRow("2022-04-28T07:00:00Z", "5326"),
            new WebshopRow("2022-04-28T07:10:00Z", "5326"),
            new WebshopRow("2022-04-28T08:00:00Z", "5326"),
            new WebshopRow("2022-04-28T08:20:00Z", "5326"),
            new WebshopRow("2022-04-28T09:00:00Z", "5326"),
            new WebshopRow("2022-04-28T09:05:00Z", "5326", "placed_order"));

        Assert.Equal(["2.000000 | 30.000000"], await db.MartAsync("order_metrics"));
    }

    [Fact]
    public async Task Medians_AreTakenOverOrderSessionsOfAllCustomers()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(Medians_AreTakenOverOrderSessionsOfAllCustomers));
        // Customer A orders after a 40-minute session (1 visit, 40 min), customer B in its first session (0, 0),
        // customer C after two single-event sessions (2 visits, 0 min): medians 1 and 0.
        await db.WebshopEventsAsync(
            new WebshopRow("2022-04-28T07:00:00Z", "A"),
            new WebshopRow("2022-04-28T07:20:00Z", "A"),
            new WebshopRow("2022-04-28T07:40:00Z", "A"),
            new WebshopRow("2022-04-28T09:00:00Z", "A", "placed_order"),
            new WebshopRow("2022-04-28T07:00:00Z", "B", "placed_order"),
            new WebshopRow("2022-04-28T07:00:00Z", "C"),
            new WebshopRow("2022-04-28T08:00:00Z", "C"),
            new WebshopRow("2022-04-28T09:00:00Z", "C", "placed_order"));

        Assert.Equal(["1.000000 | 0.000000"], await db.MartAsync("order_metrics"));
    }

    [Fact]
    public async Task OrdersWithoutACustomer_AreLeftOut()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(OrdersWithoutACustomer_AreLeftOut));
        // Counted as a customer, the anonymous order would add a 0 and pull the median from 4 to 2.
        await db.WebshopEventsAsync(
            [.. HourlySessions("5326", 5, 5), new WebshopRow("2022-04-28T03:00:00Z", null, "placed_order")]);

        Assert.Equal(["4.000000 | 0.000000"], await db.MartAsync("order_metrics"));
    }

    [Fact]
    public async Task NoOrders_GiveOneRowOfNulls()
    {
        var db = await WarehouseDatabase.CreateAsync(nameof(NoOrders_GiveOneRowOfNulls));
        await db.WebshopEventsAsync(HourlySessions("5326", 2));

        Assert.Equal([" | "], await db.MartAsync("order_metrics"));
    }
}

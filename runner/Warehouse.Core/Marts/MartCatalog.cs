namespace Warehouse.Core.Marts;

/// <summary>The marts analysts and BI tools read (schema <c>marts</c>); their names and columns are a contract.</summary>
public static class MartCatalog
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "campaign_performance", "order_metrics", "order_journeys", "order_metrics_daily", "sessions_by_key", "daily_sessions",
        "daily_sessions_by_key", "campaign_reward_attribution", "campaign_daily",
        "traffic_sources", "landing_pages", "http_status_daily",
    ];

    public static string Require(string name) =>
        Names.Contains(name) ? name : throw new WarehouseException($"unknown mart '{name}' (expected one of {string.Join(", ", Names)})");
}

namespace Warehouse.Core.Marts;

/// <summary>A query a dashboard or BI tool issues on every page load, of one mart: what the read-speed target is about.</summary>
/// <param name="Mart">The mart it reads (<see cref="MartCatalog.Names"/>).</param>
/// <param name="What">A day range, a page of 100, one family key, one campaign...</param>
/// <param name="Sql">Its text, with the parameters <c>@from</c> and <c>@to</c> (UTC days, yyyy-MM-dd) and <c>@campaign</c> as text.</param>
public sealed record TypicalQuery(string Mart, string What, string Sql);

/// <summary>
/// Each mart's typical query, in one place: the benchmark times these against the read target, and docs/performance.md
/// lists how and the figures.
/// </summary>
public static class TypicalQueries
{
    public static IReadOnlyList<TypicalQuery> All { get; } =
    [
        new("campaign_performance", "a page of 100 sessions of a week",
            "select * from marts.campaign_performance where session_start >= cast(@from as date) and session_start < cast(@to as date) + 1 " +
            "order by session_start, user_id limit 100"),
        new("order_metrics", "the two medians", "select * from marts.order_metrics"),
        new("order_journeys", "median minutes before an order in a week",
            "select count(*), percentile_cont(0.5) within group (order by minutes_before_order) from marts.order_journeys " +
            "where order_date between cast(@from as date) and cast(@to as date)"),
        new("order_metrics_daily", "a week", "select * from marts.order_metrics_daily where order_date between cast(@from as date) and cast(@to as date)"),
        new("sessions_by_key", "one family key", "select * from marts.sessions_by_key where group_key = 'browser_family'"),
        new("daily_sessions", "a week", "select * from marts.daily_sessions where session_date between cast(@from as date) and cast(@to as date)"),
        new("daily_sessions_by_key", "one family key for a week",
            "select * from marts.daily_sessions_by_key where group_key = 'browser_family' " +
            "and session_date between cast(@from as date) and cast(@to as date)"),
        new("campaign_reward_attribution", "a page of 100 rewards of one campaign",
            "select * from marts.campaign_reward_attribution where campaign_id = @campaign order by issued_at limit 100"),
        new("campaign_daily", "one campaign", "select * from marts.campaign_daily where campaign_id = @campaign order by day"),
        new("traffic_sources", "a week", "select * from marts.traffic_sources where session_date between cast(@from as date) and cast(@to as date)"),
        new("landing_pages", "the top 100", "select * from marts.landing_pages order by sessions desc, landing_page limit 100"),
        new("http_status_daily", "a week",
            "select * from marts.http_status_daily where request_date between cast(@from as date) and cast(@to as date)"),
    ];
}

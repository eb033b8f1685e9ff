namespace Warehouse.Core.Migrations;

/// <summary>
/// The <c>${variables}</c> every target shares: what the models must spell out in several places, defined once. A value
/// never holds a line break (line numbers in errors stay those of the file). A script's checksum is of its text as
/// written, so changing a value here re-runs no repeatable by itself: such a change comes with a versioned script (the
/// tables hold these columns and ids), after which every repeatable runs again.
/// </summary>
public static class ModelVariables
{
    /// <summary>What the session rules read of an event, in the column order of core.fct_sessionized_events and
    /// core.int_reopened_events (V0070): core.int_events_sessionized and the refresher's reopen step list it.</summary>
    public const string EventColumns =
        "source, user_id, event_at, event_type, source_file, source_line, campaign_id, reward_id, browser_family, os_family, device_family";

    /// <summary>The columns of core.events, in its order: each core.int_events_from_* model (one per source) gives them,
    /// and core.events unions those models by this list.</summary>
    public const string CoreEventsColumns =
        "source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id, properties, product_id, user_agent, ip, browser_family, os_family, device_family, load_id";

    /// <summary>The columns of core.int_sessions_refreshed, each session with its UTC calendar day whatever the
    /// connection's time zone (the day of every daily session mart): both tables of its union select them. A list per
    /// table rather than one select over the union in FROM: PostgreSQL then works the day out in each table's scan, not in
    /// a step of its own above the union.</summary>
    public static readonly string SessionsRefreshedColumns =
        $"source, user_id, session_number, session_start, {UtcDay("session_start")} as session_date, event_count, duration_seconds, browser_family, os_family, device_family, refresh_id";

    /// <summary>
    /// The calendar day of a timestamp in UTC, whatever the connection's time zone: the day of every daily mart
    /// (<c>${utc_day(column)}</c> in the models).
    /// </summary>
    private const string UtcDayTemplate = "cast({0} at time zone 'UTC' as date)";

    private static string UtcDay(string column) => string.Format(System.Globalization.CultureInfo.InvariantCulture, UtcDayTemplate, column);

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["event_columns"] = EventColumns,
        ["core_events_columns"] = CoreEventsColumns,
        ["sessions_refreshed_columns"] = SessionsRefreshedColumns,
        // A session's id from (source, user_id, session_number): readable and unambiguous, because a source has no ':'
        // and the number is the last part.
        ["session_id"] = "cast({0} || ':' || {1} || ':' || cast({2} as varchar(20)) as varchar(320))",
        ["utc_day"] = UtcDayTemplate,
    };
}

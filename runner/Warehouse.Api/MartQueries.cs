using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Warehouse.Api;

public sealed record OrderMetrics(double? MedianVisitsBeforeOrder, double? MedianSessionDurationMinutesBeforeOrder);

public sealed record CampaignSession(
    string UserId,
    DateTime SessionStart,
    DateTime SessionEnd,
    IReadOnlyList<string> Campaigns,
    IReadOnlyList<string> RewardsIssued,
    bool RewardDrivenByCampaignView);

public sealed record CampaignPage(IReadOnlyList<CampaignSession> Items, string? NextCursor);

public sealed record DailySessions(string Source, DateOnly SessionDate, long Sessions, long Users, long Events, double? MedianDurationSeconds);

/// <summary>A row of marts.daily_sessions_by_key; GroupValue is null when the sessions' first event has no family.</summary>
public sealed record DailySessionsByKey(DateOnly SessionDate, string Source, string GroupKey, string? GroupValue, long Sessions, long Users,
    long Events, double? MedianDurationSeconds);

public sealed record ChannelSessions(string Channel, long Sessions, long PageViews);

public sealed record DailyChannelSessions(DateOnly SessionDate, string Channel, long Sessions, long PageViews);

/// <summary>Sessions per channel over the whole period, largest first, and per UTC day and channel for a chart.</summary>
public sealed record TrafficSources(IReadOnlyList<ChannelSessions> Channels, IReadOnlyList<DailyChannelSessions> Daily);

public sealed record LandingPageRow(
    string LandingPage, long Sessions, long Bounces, double BounceRate, double PagesPerSession, double? MedianDurationSeconds);

public sealed record HttpStatusDay(DateOnly RequestDate, string StatusClass, long Requests, long BotRequests, double BotShare);

/// <summary>A range of UTC days, both ends included; an absent end is open.</summary>
public sealed record DayRange(DateOnly? From, DateOnly? To);

/// <summary>Filters of GET /campaigns/performance, already validated.</summary>
public sealed record CampaignQuery(DateTime? From, DateTime? To, string? UserId, int Limit, CampaignCursor? After);

/// <summary>The SQL behind the endpoints. Every value reaches the server as a parameter; SQL text is constant per shape.</summary>
public sealed class MartQueries(NpgsqlDataSource dataSource)
{
    /// <summary>Families without a value (no user agent) are reported under the name the export command uses.</summary>
    public const string MissingFamily = "Other";

    public async Task<OrderMetrics> OrderMetricsAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select median_visits_before_order, median_session_duration_minutes_before_order from marts.order_metrics");
        await using var reader = await command.ExecuteReaderAsync(ct);
        // The mart has exactly one row; with no order at all its medians are null.
        return await reader.ReadAsync(ct)
            ? new OrderMetrics(NullableDouble(reader, 0), NullableDouble(reader, 1))
            : new OrderMetrics(null, null);
    }

    /// <summary>Sessions per family value of one key, for one source or summed over all; largest first.</summary>
    public async Task<OrderedDictionary<string, long>> SessionsByKeyAsync(string key, string? source, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select family, sessions from (" +
            "select coalesce(group_value, @missing) as family, cast(sum(sessions) as bigint) as sessions " +
            "from marts.sessions_by_key " +
            "where group_key = @key" + (source is null ? "" : " and source = @source") + " " +
            "group by coalesce(group_value, @missing)) as totals " +
            "order by sessions desc, family collate \"C\"");
        command.Parameters.AddWithValue("missing", MissingFamily);
        command.Parameters.AddWithValue("key", key);
        if (source is not null)
        {
            command.Parameters.AddWithValue("source", source);
        }
        var result = new OrderedDictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }
        return result;
    }

    public async Task<IReadOnlyList<DailySessions>> DailySessionsAsync(string? source, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select source, session_date, sessions, users, events, median_duration_seconds from marts.daily_sessions" +
            (source is null ? "" : " where source = @source") +
            " order by session_date, source collate \"C\"");
        if (source is not null)
        {
            command.Parameters.AddWithValue("source", source);
        }
        var rows = new List<DailySessions>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DailySessions(
                reader.GetString(0),
                reader.GetFieldValue<DateOnly>(1),
                Int64(reader, 2),
                Int64(reader, 3),
                Int64(reader, 4),
                NullableDouble(reader, 5)));
        }
        return rows;
    }

    /// <summary>The rows of marts.daily_sessions_by_key for one family key, by day, source and value.</summary>
    public async Task<IReadOnlyList<DailySessionsByKey>> DailySessionsByKeyAsync(string key, string? source, DayRange days, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        var filters = DayConditions(command, "session_date", days);
        filters.Insert(0, "group_key = @key");
        command.Parameters.AddWithValue("key", key);
        if (source is not null)
        {
            filters.Add("source = @source");
            command.Parameters.AddWithValue("source", source);
        }
        command.CommandText =
            "select session_date, source, group_key, group_value, sessions, users, events, median_duration_seconds " +
            "from marts.daily_sessions_by_key where " + string.Join(" and ", filters) +
            " order by session_date, source collate \"C\", group_value collate \"C\" nulls last";
        var rows = new List<DailySessionsByKey>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DailySessionsByKey(
                reader.GetFieldValue<DateOnly>(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                Int64(reader, 4),
                Int64(reader, 5),
                Int64(reader, 6),
                NullableDouble(reader, 7)));
        }
        return rows;
    }

    /// <summary>The per-day rows of marts.traffic_sources summed over referrer and UTM fields; the period totals from them.</summary>
    public async Task<TrafficSources> TrafficSourcesAsync(DayRange days, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        command.CommandText =
            "select session_date, channel, cast(sum(sessions) as bigint), cast(sum(page_views) as bigint) " +
            "from marts.traffic_sources" + DayFilter(command, "session_date", days) +
            " group by session_date, channel order by session_date, channel collate \"C\"";
        var daily = new List<DailyChannelSessions>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            daily.Add(new DailyChannelSessions(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), Int64(reader, 2), Int64(reader, 3)));
        }
        var channels = daily
            .GroupBy(d => d.Channel, StringComparer.Ordinal)
            .Select(g => new ChannelSessions(g.Key, g.Sum(d => d.Sessions), g.Sum(d => d.PageViews)))
            .OrderByDescending(c => c.Sessions)
            .ThenBy(c => c.Channel, StringComparer.Ordinal)
            .ToList();
        return new TrafficSources(channels, daily);
    }

    /// <summary>The landing pages with the most sessions; ties by path, so a limit always cuts at the same row.</summary>
    public async Task<IReadOnlyList<LandingPageRow>> LandingPagesAsync(int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select landing_page, sessions, bounces, bounce_rate, pages_per_session, median_duration_seconds " +
            "from marts.landing_pages order by sessions desc, landing_page collate \"C\" limit @limit");
        command.Parameters.AddWithValue("limit", limit);
        var rows = new List<LandingPageRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new LandingPageRow(reader.GetString(0), Int64(reader, 1), Int64(reader, 2),
                NullableDouble(reader, 3) ?? 0, NullableDouble(reader, 4) ?? 0, NullableDouble(reader, 5)));
        }
        return rows;
    }

    public async Task<IReadOnlyList<HttpStatusDay>> HttpStatusDailyAsync(DayRange days, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        command.CommandText =
            "select request_date, status_class, requests, bot_requests, bot_share from marts.http_status_daily" +
            DayFilter(command, "request_date", days) + " order by request_date, status_class collate \"C\"";
        var rows = new List<HttpStatusDay>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new HttpStatusDay(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), Int64(reader, 2), Int64(reader, 3),
                NullableDouble(reader, 4) ?? 0));
        }
        return rows;
    }

    /// <summary>
    /// The where clause of a day range, its ends added to the command as text: Npgsql would send DateOnly.MinValue and
    /// MaxValue (real days, 0001-01-01 and 9999-12-31) as -infinity and infinity, and "to=0001-01-01" would match nothing.
    /// </summary>
    private static string DayFilter(NpgsqlCommand command, string column, DayRange days)
    {
        var filters = DayConditions(command, column, days);
        return filters.Count > 0 ? " where " + string.Join(" and ", filters) : "";
    }

    /// <summary>The conditions of <see cref="DayFilter"/>, to combine with others.</summary>
    private static List<string> DayConditions(NpgsqlCommand command, string column, DayRange days)
    {
        var filters = new List<string>();
        if (days.From is { } from)
        {
            filters.Add($"{column} >= cast(@from as date)");
            command.Parameters.AddWithValue("from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        if (days.To is { } to)
        {
            filters.Add($"{column} <= cast(@to as date)");
            command.Parameters.AddWithValue("to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        return filters;
    }

    /// <summary>
    /// One page of the campaign report, keyset-paginated on (session_start, user_id): the page after the cursor's row,
    /// so pages neither repeat nor skip rows however deep the client goes, and rows added meanwhile land in order.
    /// </summary>
    public async Task<CampaignPage> CampaignPerformanceAsync(CampaignQuery query, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        var filters = new List<string>();
        if (query.From is { } from)
        {
            filters.Add("session_start >= @from");
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from });
        }
        if (query.To is { } to)
        {
            filters.Add("session_start < @to");
            command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to });
        }
        if (query.UserId is { } userId)
        {
            filters.Add("user_id = @user_id");
            command.Parameters.AddWithValue("user_id", userId);
        }
        if (query.After is { } after)
        {
            // The same collation in the comparison and the ORDER BY, so "after" means the same thing in both.
            filters.Add("(session_start > cast(@after_start as timestamptz) " +
                "or (session_start = cast(@after_start as timestamptz) and user_id collate \"C\" > @after_user))");
            // As text: Npgsql sends DateTime.MinValue (0001-01-01T00:00:00Z, a real session start) as -infinity, after
            // which every row is "after" the cursor and paging would return the first page for ever.
            command.Parameters.AddWithValue("after_start",
                after.SessionStart.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("after_user", after.UserId);
        }
        // One row more than asked tells whether another page exists without a count(*).
        command.Parameters.AddWithValue("fetch", query.Limit + 1);
        command.CommandText =
            "select user_id, session_start, session_end, campaigns, rewards_issued, reward_driven_by_campaign_view " +
            "from marts.campaign_performance" +
            (filters.Count > 0 ? " where " + string.Join(" and ", filters) : "") +
            " order by session_start, user_id collate \"C\" limit @fetch";

        var items = new List<CampaignSession>();
        var hasMore = false;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (items.Count == query.Limit)
            {
                hasMore = true;
                break;
            }
            items.Add(new CampaignSession(
                reader.GetString(0),
                reader.GetFieldValue<DateTime>(1),
                reader.GetFieldValue<DateTime>(2),
                Ids(reader, 3),
                Ids(reader, 4),
                !reader.IsDBNull(5) && reader.GetBoolean(5)));
        }
        var next = hasMore ? new CampaignCursor(items[^1].SessionStart, items[^1].UserId).Encode() : null;
        return new CampaignPage(items, next);
    }

    /// <summary>Opens a connection and runs a trivial query: is the database there for this role?</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select 1");
        await command.ExecuteScalarAsync(ct);
    }

    /// <summary>PostgreSQL's marts hold arrays; Redshift's hold the same ids as a comma-separated LISTAGG string.</summary>
    private static string[] Ids(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? []
        : reader.GetFieldType(ordinal) == typeof(string) ? reader.GetString(ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries)
        : reader.GetFieldValue<string[]>(ordinal);

    private static double? NullableDouble(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static long Int64(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}

using System.Globalization;
using Npgsql;
using Warehouse.Core.Database;
using Warehouse.Core.Load;

namespace Warehouse.Core.Profile;

/// <summary>What came in for one source: the questions to answer before trusting the data.</summary>
public sealed record SourceProfile(string Source)
{
    public DateTime? FirstEventAt { get; init; }
    public DateTime? LastEventAt { get; init; }
    public long Events { get; init; }
    public long Users { get; init; }
    public long EventsWithoutUser { get; init; }
    /// <summary>Rejected raw lines by normalised reason, most frequent first.</summary>
    public IReadOnlyList<(string Reason, long Lines)> Rejects { get; init; } = [];
    public long RejectedLines => Rejects.Sum(r => r.Lines);
    /// <summary>Events that repeat an earlier event exactly (same user, time and every field; only the line differs).</summary>
    public long DuplicateEvents { get; init; }
    /// <summary>Users with at least one session in which the browser, OS or device family changes.</summary>
    public long UsersWithFamilyChange { get; init; }
    public long SessionsWithFamilyChange { get; init; }
    /// <summary>Gaps between a user's consecutive events within 1 s below the threshold (same session)...</summary>
    public long GapsJustBelowThreshold { get; init; }
    /// <summary>...and within 1 s at or above it (new session): where a small clock skew would change the sessions.</summary>
    public long GapsJustAtOrAboveThreshold { get; init; }
}

/// <summary>
/// Profiles the loaded data from the database alone (core views and staging.load_rejects), so it answers the same
/// after any run. Users, family changes, near-threshold gaps and the duplicates of events that have a user are read
/// from the sessionized rows, so they are as of the last refresh (`run` refreshes before it profiles): no query groups
/// every event. Every query is portable SQL: no FILTER, no DISTINCT ON, no IS DISTINCT FROM.
/// </summary>
public sealed class DataProfiler(string connectionString)
{
    // Users are counted from the sessions (each user has exactly one first session per source) rather than with a
    // count(distinct) over every event, which is a sort of every event (docs/performance.md, "The profile").
    private const string BasicsSql = """
        with

        events as (
            select * from core.events
        ),

        sessions as (
            select * from core.sessions
        ),

        event_totals as (
            select
                source,
                min(event_at) as first_event_at,
                max(event_at) as last_event_at,
                count(*) as events,
                sum(case when user_id is null then 1 else 0 end) as events_without_user
            from events
            group by source
        ),

        users as (
            select
                source,
                count(*) as users
            from sessions
            where session_number = 1
            group by source
        ),

        final as (
            select
                event_totals.source,
                event_totals.first_event_at,
                event_totals.last_event_at,
                event_totals.events,
                coalesce(users.users, 0) as users,
                event_totals.events_without_user
            from event_totals
            left join users
                on users.source = event_totals.source
        )

        select * from final
        """;

    private const string RejectsSql = """
        with

        load_rejects as (
            select * from staging.load_rejects
        ),

        final as (
            select
                source,
                reason,
                sum(line_count) as lines
            from load_rejects
            group by source, reason
        )

        select * from final
        order by source, lines desc, reason
        """;

    // Every column of core.events except the line's position: two lines that say the same thing are duplicates. Such
    // lines have the same user and instant, so they sit next to each other in the user's session order (a gap of 0
    // seconds): those instants come from the sessionized rows without a sort, and only their rows are compared in
    // full, since grouping every event by every column would sort them all. Events without a user are not sessionized
    // and are all compared. The sessionized rows are read twice by name rather than through one CTE: PostgreSQL
    // materialises a CTE used twice, and copying the rows costs more than reading them again.
    private const string DuplicatesSql = """
        with

        anonymous_events as (
            select * from core.events
            where user_id is null
        ),

        repeated_instants as (
            select distinct
                source,
                user_id,
                event_at
            from core.sessionized_events
            where event_at = previous_event_at
        ),

        candidate_events as (
            select
                sessionized_events.source, sessionized_events.user_id, sessionized_events.event_at,
                sessionized_events.event_type, sessionized_events.method, sessionized_events.path,
                sessionized_events.campaign_id, sessionized_events.reward_id, sessionized_events.event_id,
                sessionized_events.properties, sessionized_events.product_id, sessionized_events.user_agent,
                sessionized_events.ip, sessionized_events.browser_family, sessionized_events.os_family,
                sessionized_events.device_family
            from core.sessionized_events as sessionized_events
            inner join repeated_instants
                on repeated_instants.source = sessionized_events.source
                and repeated_instants.user_id = sessionized_events.user_id
                and repeated_instants.event_at = sessionized_events.event_at
            union all
            select
                source, user_id, event_at, event_type, method, path, campaign_id, reward_id, event_id, properties,
                product_id, user_agent, ip, browser_family, os_family, device_family
            from anonymous_events
        ),

        repeated as (
            select
                source,
                count(*) as copies
            from candidate_events
            group by
                source, user_id, event_at, event_type, method, path, campaign_id, reward_id, event_id, properties,
                product_id, user_agent, ip, browser_family, os_family, device_family
            having count(*) > 1
        ),

        final as (
            select
                source,
                sum(copies - 1) as duplicate_events
            from repeated
            group by source
        )

        select * from final
        """;

    // Sources that have any named family at all: only their sessions can change family. An HTTP log has none, so its
    // events cost this one scan instead of a grouping of every session.
    private const string SourcesWithFamiliesSql = """
        with

        sessionized_events as (
            select * from core.sessionized_events
        ),

        final as (
            select distinct
                source
            from sessionized_events
            where browser_family is not null
                or os_family is not null
                or device_family is not null
        )

        select * from final
        """;

    // For one source (@source): a null family next to a named one counts as a change, so '(none)' stands in for null,
    // and a session changes when its smallest and largest family differ.
    private const string FamilyChangesSql = """
        with

        sessionized_events as (
            select * from core.sessionized_events
            where source = @source
        ),

        changing_sessions as (
            select
                user_id,
                session_number
            from sessionized_events
            group by user_id, session_number
            having min(coalesce(browser_family, '(none)')) <> max(coalesce(browser_family, '(none)'))
                or min(coalesce(os_family, '(none)')) <> max(coalesce(os_family, '(none)'))
                or min(coalesce(device_family, '(none)')) <> max(coalesce(device_family, '(none)'))
        ),

        final as (
            select
                count(distinct user_id) as users,
                count(*) as sessions
            from changing_sessions
        )

        select * from final
        """;

    private const string NearThresholdSql = """
        with

        sessionized_events as (
            select * from core.sessionized_events
        ),

        near_threshold as (
            select
                source,
                case when event_at < previous_event_at + session_gap_seconds * interval '1 second' then 1 else 0 end as is_below
            from sessionized_events
            -- timestamps compared rather than seconds_since_previous_event: the same test (that column is exact to
            -- the microsecond), without computing a numeric for every event
            where event_at >= previous_event_at + (session_gap_seconds - 1) * interval '1 second'
                and event_at <= previous_event_at + (session_gap_seconds + 1) * interval '1 second'
        ),

        final as (
            select
                source,
                sum(is_below) as just_below,
                sum(1 - is_below) as at_or_above
            from near_threshold
            group by source
        )

        select * from final
        """;

    /// <summary>One profile per source (all four, or only <paramref name="source"/>), in the order of <see cref="Sources.All"/>.</summary>
    public async Task<IReadOnlyList<SourceProfile>> ProfileAsync(string? source, CancellationToken ct = default)
    {
        var wanted = source is null ? Sources.All : [Sources.ByName(source)];
        await using var connection = await Connections.OpenAsync(connectionString, ct);
        await using (var check = new NpgsqlCommand(
            "select count(*) from information_schema.tables where table_schema = 'staging' and table_name = 'load_rejects'", connection))
        {
            if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) == 0)
            {
                throw new WarehouseException("the warehouse is not migrated (staging.load_rejects is missing): run ./warehouse migrate or ./warehouse run first");
            }
        }
        var profiles = wanted.ToDictionary(s => s.Name, s => new SourceProfile(s.Name));
        void Update(string name, Func<SourceProfile, SourceProfile> change)
        {
            if (profiles.TryGetValue(name, out var profile))
            {
                profiles[name] = change(profile);
            }
        }

        await ForEachRowAsync(connection, BasicsSql, r => Update(r.GetString(0), p => p with
        {
            FirstEventAt = r.IsDBNull(1) ? null : r.GetDateTime(1),
            LastEventAt = r.IsDBNull(2) ? null : r.GetDateTime(2),
            Events = r.GetInt64(3),
            Users = r.GetInt64(4),
            EventsWithoutUser = r.GetInt64(5),
        }), ct);
        var rejects = new Dictionary<string, List<(string, long)>>();
        await ForEachRowAsync(connection, RejectsSql, r =>
        {
            var name = r.GetString(0);
            if (!rejects.TryGetValue(name, out var list))
            {
                rejects[name] = list = [];
            }
            list.Add((r.GetString(1), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)));
        }, ct);
        foreach (var (name, list) in rejects)
        {
            Update(name, p => p with { Rejects = list });
        }
        await ForEachRowAsync(connection, DuplicatesSql, r => Update(r.GetString(0), p => p with
        {
            DuplicateEvents = Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture),
        }), ct);
        var sourcesWithFamilies = new List<string>();
        await ForEachRowAsync(connection, SourcesWithFamiliesSql, r => sourcesWithFamilies.Add(r.GetString(0)), ct);
        foreach (var name in sourcesWithFamilies.Where(profiles.ContainsKey))
        {
            await ForEachRowAsync(connection, FamilyChangesSql, r => Update(name, p => p with
            {
                UsersWithFamilyChange = r.GetInt64(0),
                SessionsWithFamilyChange = r.GetInt64(1),
            }), ct, new NpgsqlParameter("source", name));
        }
        await ForEachRowAsync(connection, NearThresholdSql, r => Update(r.GetString(0), p => p with
        {
            GapsJustBelowThreshold = Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture),
            GapsJustAtOrAboveThreshold = Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture),
        }), ct);
        return wanted.Select(s => profiles[s.Name]).ToList();
    }

    private static async Task ForEachRowAsync(NpgsqlConnection connection, string sql, Action<NpgsqlDataReader> row, CancellationToken ct,
        params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            row(reader);
        }
    }
}

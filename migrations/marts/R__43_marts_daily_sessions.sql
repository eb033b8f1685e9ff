-- marts.daily_sessions: per source and UTC day of the session start, sessions, users, events and median duration.

drop view if exists marts.daily_sessions;

create view marts.daily_sessions as
with

-- core.sessions is named in both CTEs below rather than imported once: PostgreSQL materialises a CTE read twice, which
-- copied every session and kept a source filter (the API's ?source=) from reaching the scan. The session date is the UTC calendar day whatever the
-- connection's time zone.
daily_totals as (
    select
        source,
        cast(session_start at time zone 'UTC' as date) as session_date,
        count(*) as sessions,
        count(distinct user_id) as users,
        cast(sum(event_count) as bigint) as events
    from core.sessions
    group by source, cast(session_start at time zone 'UTC' as date)
),

-- separate from the counts: Redshift rejects PERCENTILE_CONT together with a DISTINCT aggregate in one SELECT
daily_medians as (
    select
        source,
        cast(session_start at time zone 'UTC' as date) as session_date,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from core.sessions
    group by source, cast(session_start at time zone 'UTC' as date)
),

final as (
    select
        daily_totals.source,
        daily_totals.session_date,
        daily_totals.sessions,
        daily_totals.users,
        daily_totals.events,
        cast(daily_medians.median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from daily_totals
    inner join daily_medians
        on daily_medians.source = daily_totals.source
        and daily_medians.session_date = daily_totals.session_date
)

select * from final;

comment on view marts.daily_sessions is 'Per source and UTC day of session start: sessions, distinct users, events and median session duration. Grain: source, session_date.';
comment on column marts.daily_sessions.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column marts.daily_sessions.session_date is 'UTC calendar day on which the sessions started.';
comment on column marts.daily_sessions.sessions is 'Sessions starting that day.';
comment on column marts.daily_sessions.users is 'Distinct users with a session starting that day.';
comment on column marts.daily_sessions.events is 'Events in those sessions (including any after midnight).';
comment on column marts.daily_sessions.median_duration_seconds is 'Median session duration in seconds (percentile_cont(0.5)).';

-- tests:
--   unique: source, session_date
--   not_null: source, session_date, sessions, users, events, median_duration_seconds
--   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
--   expression: users <= sessions and sessions <= events
--   expression: median_duration_seconds >= 0

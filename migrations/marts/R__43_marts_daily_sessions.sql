-- marts.daily_sessions: per source and UTC day of the session start, sessions, users, events and median duration.

drop view if exists marts.daily_sessions;

create view marts.daily_sessions as
with

-- materialised by the refresh (rule: core.int_daily_sessions), so a read is a scan of a few rows per day and source
fct_daily_sessions as (
    select * from core.fct_daily_sessions
),

final as (
    select
        source,
        session_date,
        sessions,
        users,
        events,
        median_duration_seconds
    from fct_daily_sessions
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

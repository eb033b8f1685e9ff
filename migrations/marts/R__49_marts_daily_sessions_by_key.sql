-- marts.daily_sessions_by_key: per UTC day of session start, source and browser / OS / device family, sessions, users,
-- events and median duration: the grain of marts.sessions_by_key plus the day. "Sessions by browser per day" is a
-- where group_key = 'browser_family' on it.

drop view if exists marts.daily_sessions_by_key;

create view marts.daily_sessions_by_key as
with

-- materialised by the refresh (rule: core.int_daily_sessions_by_key)
fct_daily_sessions_by_key as (
    select * from core.fct_daily_sessions_by_key
),

final as (
    select
        session_date,
        source,
        group_key,
        group_value,
        sessions,
        users,
        events,
        median_duration_seconds
    from fct_daily_sessions_by_key
)

select * from final;

comment on view marts.daily_sessions_by_key is 'Per UTC day of session start, source and family value (by the family of each session''s first event): sessions, distinct users, events and median duration. Grain: session_date, source, group_key, group_value.';
comment on column marts.daily_sessions_by_key.session_date is 'UTC calendar day on which the sessions started. A time frame is where session_date between ... and ....';
comment on column marts.daily_sessions_by_key.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column marts.daily_sessions_by_key.group_key is 'browser_family, os_family or device_family.';
comment on column marts.daily_sessions_by_key.group_value is 'The family value of the session''s first event; null when it has none (its own group).';
comment on column marts.daily_sessions_by_key.sessions is 'Sessions starting that day whose first event has this value; summed over a key''s values, the source''s sessions that day.';
comment on column marts.daily_sessions_by_key.users is 'Distinct users with such a session that day (not additive over days or values).';
comment on column marts.daily_sessions_by_key.events is 'Events in those sessions (including any after midnight).';
comment on column marts.daily_sessions_by_key.median_duration_seconds is 'Median duration of those sessions in seconds (percentile_cont(0.5)).';

-- tests:
--   unique: session_date, source, group_key, group_value
--   not_null: session_date, source, group_key, sessions, users, events, median_duration_seconds
--   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
--   accepted_values: group_key in (browser_family, os_family, device_family)
--   expression: users <= sessions and sessions <= events and median_duration_seconds >= 0

-- marts.sessions_by_key: sessions per source and browser / OS / device family, counted by the family of the
-- session's first event. A null family (no user agent, or a source without one such as http_log) is its own group,
-- so each group_key's sessions add up to the source's sessions.

drop view if exists marts.sessions_by_key;

create view marts.sessions_by_key as
with

-- the family rule is core.int_daily_sessions_by_key's, materialised per day by the refresh: a session starts on one
-- day, so its sessions summed over the days are the sessions of each family
fct_daily_sessions_by_key as (
    select * from core.fct_daily_sessions_by_key
),

final as (
    select
        source,
        group_key,
        group_value,
        cast(sum(sessions) as bigint) as sessions
    from fct_daily_sessions_by_key
    group by source, group_key, group_value
)

select * from final;

comment on view marts.sessions_by_key is 'Sessions per source and family value, by the family of each session''s first event. Grain: source, group_key, group_value.';
comment on column marts.sessions_by_key.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column marts.sessions_by_key.group_key is 'browser_family, os_family or device_family.';
comment on column marts.sessions_by_key.group_value is 'The family value of the session''s first event; null when it has none.';
comment on column marts.sessions_by_key.sessions is 'Sessions whose first event has this value.';

-- tests:
--   unique: source, group_key, group_value
--   not_null: source, group_key, sessions
--   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
--   accepted_values: group_key in (browser_family, os_family, device_family)

-- marts.sessions_by_key: sessions per source and browser / OS / device family, counted by the family of the
-- session's first event. A null family (no user agent, or a source without one such as http_log) is its own group,
-- so each group_key's sessions add up to the source's sessions.

drop view if exists marts.sessions_by_key;

create view marts.sessions_by_key as
with

-- one pass over the sessions: the family combinations are few, so each grouping below reads this small result
-- instead of every session (a CTE read three times is materialised by PostgreSQL: 1.9 million rows copied)
family_sessions as (
    select
        source,
        browser_family,
        os_family,
        device_family,
        count(*) as sessions
    from core.sessions
    group by source, browser_family, os_family, device_family
),

by_browser as (
    select
        source,
        cast('browser_family' as varchar(32)) as group_key,
        browser_family as group_value,
        cast(sum(sessions) as bigint) as sessions
    from family_sessions
    group by source, browser_family
),

by_os as (
    select
        source,
        cast('os_family' as varchar(32)) as group_key,
        os_family as group_value,
        cast(sum(sessions) as bigint) as sessions
    from family_sessions
    group by source, os_family
),

by_device as (
    select
        source,
        cast('device_family' as varchar(32)) as group_key,
        device_family as group_value,
        cast(sum(sessions) as bigint) as sessions
    from family_sessions
    group by source, device_family
),

final as (
    select * from by_browser
    union all
    select * from by_os
    union all
    select * from by_device
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

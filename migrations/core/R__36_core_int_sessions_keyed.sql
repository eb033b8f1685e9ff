-- core.int_sessions_keyed: every session once per family key, with that key's family (the family of the session's first
-- event; null without a user agent). The input of core.int_daily_sessions_by_key, which reads it twice.

drop view if exists core.int_sessions_keyed cascade;

create view core.int_sessions_keyed as
-- No import CTEs, and a view rather than a CTE of the daily model: PostgreSQL merges it into the query reading it, so a
-- filter on group_key (the refresher builds each key on a connection of its own) leaves one key's rows to sort, and
-- the sessions are read where they lie instead of copied into a CTE first.
select
    sessions.session_date,
    sessions.source,
    group_keys.group_key,
    case group_keys.group_key
        when 'browser_family' then sessions.browser_family
        when 'os_family' then sessions.os_family
        else sessions.device_family
    end as group_value,
    sessions.user_id,
    sessions.event_count,
    sessions.duration_seconds
from core.int_sessions_refreshed as sessions
cross join core.int_group_keys as group_keys;

comment on view core.int_sessions_keyed is 'Every session of core.int_sessions_refreshed once per family key of core.int_group_keys, with its family under that key.';

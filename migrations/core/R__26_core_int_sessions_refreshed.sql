-- core.int_sessions_refreshed: every session as the running refresh leaves it, with its UTC day. Refresh machinery: the
-- daily mart models read it and stay plain aggregates. A full refresh in buckets builds those marts after its buckets
-- commit and before it publishes them, so there the sessions are the this_run tables (setting warehouse.refresh_full);
-- otherwise (an incremental refresh, Redshift, an analyst) they are the live table.

drop view if exists core.int_sessions_refreshed cascade;

create view core.int_sessions_refreshed as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and a filter on
-- source or day would not reach the scan.
select
    source,
    user_id,
    session_number,
    session_start,
    -- the UTC calendar day whatever the connection's time zone: the day of every daily session mart
    cast(session_start at time zone 'UTC' as date) as session_date,
    event_count,
    duration_seconds,
    browser_family,
    os_family,
    device_family,
    refresh_id
from core.fct_sessions_this_run
where (select is_full from core.int_refresh_scope) and (select bucket from core.int_refresh_scope) is null
union all
select
    source,
    user_id,
    session_number,
    session_start,
    cast(session_start at time zone 'UTC' as date) as session_date,
    event_count,
    duration_seconds,
    browser_family,
    os_family,
    device_family,
    refresh_id
from core.fct_sessions
where not ((select is_full from core.int_refresh_scope) and (select bucket from core.int_refresh_scope) is null);

comment on view core.int_sessions_refreshed is 'Refresh machinery: every session with its UTC session_date, from core.fct_sessions_this_run while a full refresh builds the daily marts before publishing (warehouse.refresh_full on, no bucket), else from core.fct_sessions.';

-- core.sessions: one row per session of every source, as of the last refresh. The rows are materialised by the
-- refresher (core.fct_sessions, built by core.int_sessions_aggregated); this view is the contract name and columns.

drop view if exists core.sessions cascade;

create view core.sessions as
with

fct_sessions as (
    select * from core.fct_sessions
),

final as (
    select
        source,
        user_id,
        session_id,
        session_number,
        session_start,
        session_end,
        event_count,
        duration_seconds,
        browser_family,
        os_family,
        device_family
    from fct_sessions
)

select * from final;

comment on view core.sessions is 'One row per session of every source (anonymous webshop events excluded). Grain: session_id.';

-- a documented view: the read-only login of analysts, BI tools and the API reads it (V0140)
grant select on core.sessions to warehouse_api;
comment on column core.sessions.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column core.sessions.user_id is 'The user as written in the input.';
comment on column core.sessions.session_id is 'source:user_id:session_number, unique.';
comment on column core.sessions.session_number is '1-based number of the session among the user''s sessions in this source.';
comment on column core.sessions.session_start is 'Time of the session''s first event, UTC.';
comment on column core.sessions.session_end is 'Time of the session''s last event, UTC.';
comment on column core.sessions.event_count is 'Events in the session.';
comment on column core.sessions.duration_seconds is 'session_end - session_start in seconds; 0 for a single-event session.';
comment on column core.sessions.browser_family is 'Browser family of the session''s first event.';
comment on column core.sessions.os_family is 'Operating system family of the session''s first event.';
comment on column core.sessions.device_family is 'Device family of the session''s first event.';

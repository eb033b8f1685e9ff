-- core.sessions: one row per session of every source.

drop view if exists core.sessions cascade;

create view core.sessions as
with

sessionized_events as (
    select * from core.sessionized_events
),

final as (
    select
        source,
        user_id,
        session_id,
        session_number,
        min(event_at) as session_start,
        max(event_at) as session_end,
        count(*) as event_count,
        cast(extract(epoch from max(event_at)) - extract(epoch from min(event_at)) as decimal(18, 6)) as duration_seconds,
        -- families can change inside a session; the first event decides. Exactly one event per session starts it,
        -- so max() over "this event's family if it starts the session" picks the first event's value without a join.
        cast(max(case when is_new_session then browser_family end) as varchar(256)) as browser_family,
        cast(max(case when is_new_session then os_family end) as varchar(256)) as os_family,
        cast(max(case when is_new_session then device_family end) as varchar(256)) as device_family
    from sessionized_events
    group by source, user_id, session_id, session_number
)

select * from final;

comment on view core.sessions is 'One row per session of every source (anonymous webshop events excluded). Grain: session_id.';
comment on column core.sessions.source is 'http_log, webshop_events, device_events or clickstream.';
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

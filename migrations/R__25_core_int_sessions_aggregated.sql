-- core.int_sessions_aggregated: sessions of the events the current refresh (re)wrote. A refresh rewrites every event
-- of every session it touches, so each session here is complete; the refresher materialises the rows into
-- core.fct_sessions. Analysts read core.sessions.

drop view if exists core.int_sessions_aggregated cascade;

create view core.int_sessions_aggregated as
with

refresh_state as (
    select * from core.refresh_state
),

refreshed_events as (
    select * from core.fct_sessionized_events
    where refresh_id = (select max(refresh_id) from refresh_state)
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
        cast(max(case when is_new_session then device_family end) as varchar(256)) as device_family,
        -- an order session for marts.order_metrics; kept here so that mart reads sessions, not events
        case
            when max(case when source = 'webshop_events' and event_type = 'placed_order' then 1 else 0 end) = 1 then true
            else false
        end as has_placed_order,
        max(refresh_id) as refresh_id
    from refreshed_events
    group by source, user_id, session_id, session_number
)

select * from final;

comment on view core.int_sessions_aggregated is 'Sessions of the events written by the current refresh; the refresher materialises it into core.fct_sessions. Analysts read core.sessions.';

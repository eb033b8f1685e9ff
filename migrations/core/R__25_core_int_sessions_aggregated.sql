-- core.int_sessions_aggregated: sessions of the events the current refresh (re)wrote. A refresh rewrites every event
-- of every session it touches, so each session here is complete; the refresher materialises the rows into
-- core.fct_sessions_this_run and from there into core.fct_sessions. Analysts read core.sessions.

drop view if exists core.int_sessions_aggregated cascade;

create view core.int_sessions_aggregated as
with

refreshed_events as (
    select * from core.int_sessionized_events_this_run
),

sessions_aggregated as (
    select
        source,
        user_id,
        session_number,
        user_bucket,
        min(event_at) as session_start,
        max(event_at) as session_end,
        count(*) as event_count,
        -- families can change inside a session; the first event decides. Exactly one event per session starts it,
        -- so max() over "this event's family if it starts the session" picks the first event's value without a join.
        max(case when is_new_session then browser_family end) as browser_family,
        max(case when is_new_session then os_family end) as os_family,
        max(case when is_new_session then device_family end) as device_family,
        -- an order session for marts.order_metrics; kept here so that mart reads sessions, not events
        max(case when source = 'webshop_events' and event_type = 'placed_order' then 1 else 0 end) as placed_orders_flag,
        max(refresh_id) as refresh_id
    from refreshed_events
    -- grouped by the parts of the session id, not the id: the id is built once per session below instead of once per
    -- event (it is no longer stored with the events, V0063). A user has one bucket, so it adds no group.
    group by source, user_id, session_number, user_bucket
),

final as (
    select
        source,
        user_id,
        ${session_id(source, user_id, session_number)} as session_id,
        session_number,
        session_start,
        session_end,
        event_count,
        cast(extract(epoch from session_end) - extract(epoch from session_start) as decimal(18, 6)) as duration_seconds,
        cast(browser_family as varchar(256)) as browser_family,
        cast(os_family as varchar(256)) as os_family,
        cast(device_family as varchar(256)) as device_family,
        case when placed_orders_flag = 1 then true else false end as has_placed_order,
        refresh_id,
        user_bucket
    from sessions_aggregated
)

select * from final;

comment on view core.int_sessions_aggregated is 'Sessions of the events written by the current refresh; the refresher materialises it into core.fct_sessions. Analysts read core.sessions.';

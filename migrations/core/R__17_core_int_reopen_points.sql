-- core.int_reopen_points: where an incremental refresh must start rebuilding each user's sessions. Refresh machinery:
-- the refresher reads it once per incremental refresh, moves the events from that point on back through
-- core.int_events_sessionized (with the event just before as context) and deletes what was built from them.
--
-- Per source and user with events loaded since the last refresh: the session of the user's last materialised event
-- strictly before the earliest new one, since a new event can extend, merge or split that session and renumber what
-- follows, never change anything before it. An event at the same instant may sort either side of the new one (ties
-- go by file and line), so it does not count as before. That session is the user's last one starting before the
-- earliest new event; the context row is the last event of the session before it, whose number is the count of the
-- user's events in the sessions before. Both come from the sessions, a third the size of the events.

drop view if exists core.int_reopen_points cascade;

create view core.int_reopen_points as
with

refresh_state as (
    select * from core.refresh_state
    where loaded_through_load_id >= 0
),

events as (
    select * from core.events
),

new_events as (
    select
        events.source,
        events.user_id,
        min(events.event_at) as first_new_event_at
    from events
    inner join refresh_state
        on refresh_state.source = events.source
    where events.user_id is not null
        -- rows without a load_id (loaded before loads were numbered) count as load 0
        and coalesce(events.load_id, 0) > refresh_state.loaded_through_load_id
    group by events.source, events.user_id
),

-- core.fct_sessions is named in both joins rather than imported once: PostgreSQL copies a CTE that is read twice
reopen_sessions as (
    select
        new_events.source,
        new_events.user_id,
        coalesce(max(fct_sessions.session_number), 1) as reopen_session_number
    from new_events
    left join core.fct_sessions as fct_sessions
        on fct_sessions.source = new_events.source
        and fct_sessions.user_id = new_events.user_id
        and fct_sessions.session_start < new_events.first_new_event_at
    group by new_events.source, new_events.user_id
),

final as (
    select
        reopen_sessions.source,
        reopen_sessions.user_id,
        reopen_sessions.reopen_session_number,
        -- null when the first session reopens: there is no event before it
        cast(sum(fct_sessions.event_count) as bigint) as context_user_event_number
    from reopen_sessions
    left join core.fct_sessions as fct_sessions
        on fct_sessions.source = reopen_sessions.source
        and fct_sessions.user_id = reopen_sessions.user_id
        and fct_sessions.session_number < reopen_sessions.reopen_session_number
    group by reopen_sessions.source, reopen_sessions.user_id, reopen_sessions.reopen_session_number
)

select * from final;

comment on view core.int_reopen_points is 'Refresh machinery: per source and user with events loaded since the last refresh, the first materialised session an incremental refresh rebuilds (reopen_session_number) and the user_event_number of the event just before it (null when there is none).';

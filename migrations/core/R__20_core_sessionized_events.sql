-- core.sessionized_events: each user's events in order, split into sessions by the source's gap threshold.
-- The rows are materialised by the refresher (core.fct_sessionized_events, built by core.int_events_sessionized, where
-- the rules live); this view is the contract name and columns over them. It reflects the last `warehouse refresh`.
-- The materialised rows are narrow (what the rules read): an event's other columns (method, path, properties, user
-- agent, ...) come from its staging row, found by source, load, file and line.
-- Three columns are derived here rather than stored (V0063): session_id, seconds_since_previous_event, and
-- session_gap_seconds, the threshold core.refresh_state records for the source's materialised rows.

drop view if exists core.sessionized_events cascade;

create view core.sessionized_events as
with

fct_sessionized_events as (
    select * from core.fct_sessionized_events
),

events as (
    select * from core.events
),

refresh_state as (
    select * from core.refresh_state
),

final as (
    select
        fct_sessionized_events.source,
        fct_sessionized_events.user_id,
        fct_sessionized_events.event_at,
        fct_sessionized_events.event_type,
        fct_sessionized_events.source_file,
        fct_sessionized_events.source_line,
        events.method,
        events.path,
        fct_sessionized_events.campaign_id,
        fct_sessionized_events.reward_id,
        events.event_id,
        events.properties,
        events.product_id,
        events.user_agent,
        events.ip,
        fct_sessionized_events.browser_family,
        fct_sessionized_events.os_family,
        fct_sessionized_events.device_family,
        refresh_state.session_gap_seconds,
        fct_sessionized_events.user_event_number,
        fct_sessionized_events.previous_event_at,
        cast(
            extract(epoch from fct_sessionized_events.event_at) - extract(epoch from fct_sessionized_events.previous_event_at)
            as decimal(18, 6)
        ) as seconds_since_previous_event,
        fct_sessionized_events.is_new_session,
        fct_sessionized_events.session_number,
        -- the id core.int_sessions_aggregated gives the session (ModelVariables)
        ${session_id(fct_sessionized_events.source, fct_sessionized_events.user_id, fct_sessionized_events.session_number)} as session_id
    from fct_sessionized_events
    -- one staging row per event: a load is one file, and a file's lines are numbered once. Rows loaded before loads
    -- were numbered have no load id on either side.
    left join events
        on events.source = fct_sessionized_events.source
        and coalesce(events.load_id, 0) = coalesce(fct_sessionized_events.load_id, 0)
        and events.source_file = fct_sessionized_events.source_file
        and events.source_line = fct_sessionized_events.source_line
    -- every source has its row in core.refresh_state, so a left join keeps the same rows as an inner one; and since
    -- source is that table's key, PostgreSQL drops the join from any query that does not read session_gap_seconds
    -- (most profile queries read every event here)
    left join refresh_state
        on refresh_state.source = fct_sessionized_events.source
)

select * from final;

comment on view core.sessionized_events is 'Events that have a user (all but anonymous webshop events), with their session, as of the last refresh. Grain: one row per event; session_id identifies the session.';

-- a documented view: the read-only login of analysts, BI tools and the API reads it (V0140)
grant select on core.sessionized_events to warehouse_api;
comment on column core.sessionized_events.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column core.sessionized_events.user_id is 'The user as written in the input.';
comment on column core.sessionized_events.event_at is 'When the event happened, UTC.';
comment on column core.sessionized_events.event_type is 'As in core.events.';
comment on column core.sessionized_events.source_file is 'Raw file name the event came from.';
comment on column core.sessionized_events.source_line is '1-based line number in the raw file; breaks ties between events at the same time.';
comment on column core.sessionized_events.method is 'http_log and access_log: HTTP method.';
comment on column core.sessionized_events.path is 'http_log: request path; access_log: request path without the query string.';
comment on column core.sessionized_events.campaign_id is 'http_log only: the campaign id of a campaign_view.';
comment on column core.sessionized_events.reward_id is 'http_log only: the reward id of a reward_issue.';
comment on column core.sessionized_events.event_id is 'webshop_events only: the event''s JSON id.';
comment on column core.sessionized_events.properties is 'webshop_events only: compact JSON of the type-specific fields.';
comment on column core.sessionized_events.product_id is 'clickstream only: the productId.';
comment on column core.sessionized_events.user_agent is 'webshop_events, clickstream and access_log: the User-Agent header.';
comment on column core.sessionized_events.ip is 'webshop_events, clickstream and access_log: the client IP address.';
comment on column core.sessionized_events.browser_family is 'Browser family of this event.';
comment on column core.sessionized_events.os_family is 'Operating system family of this event.';
comment on column core.sessionized_events.device_family is 'Device family of this event.';
comment on column core.sessionized_events.session_gap_seconds is 'The source''s threshold from core.session_gap_settings the session was built with.';
comment on column core.sessionized_events.user_event_number is '1-based position of the event among its user''s events of this source (time, then source_file, source_line).';
comment on column core.sessionized_events.previous_event_at is 'The same user''s previous event time in this source; null for the first event.';
comment on column core.sessionized_events.seconds_since_previous_event is 'event_at - previous_event_at in seconds (microsecond precision); null for the first event.';
comment on column core.sessionized_events.is_new_session is 'True for the user''s first event and when seconds_since_previous_event >= session_gap_seconds.';
comment on column core.sessionized_events.session_number is '1-based number of the session among the user''s sessions in this source.';
comment on column core.sessionized_events.session_id is 'source:user_id:session_number, unique per session.';

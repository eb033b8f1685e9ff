-- core.sessionized_events: each user's events in order, split into sessions by the source's gap threshold.
-- Rules (issue 4): events ordered by time, ties by position in the input (source_file, source_line) so results never
-- depend on the plan; a session starts at the user's first event and wherever the gap to the previous event is greater
-- than or equal to the threshold in core.session_gap_settings.

drop view if exists core.sessionized_events cascade;

create view core.sessionized_events as
with

events as (
    -- anonymous webshop events (null customer) have no user to sessionize; they stay in core.events
    select * from core.events
    where user_id is not null
),

session_gap_settings as (
    select * from core.session_gap_settings
),

-- the settings pivoted to one row: a cross join with one row keeps every event and keeps the planner's row estimate
-- exact (a join on source made it guess 2% of the rows, and wrong estimates turn later joins into nested loops)
session_gaps as (
    select
        max(case when source = 'http_log' then gap_seconds end) as http_log_gap_seconds,
        max(case when source = 'webshop_events' then gap_seconds end) as webshop_events_gap_seconds,
        max(case when source = 'device_events' then gap_seconds end) as device_events_gap_seconds,
        max(case when source = 'clickstream' then gap_seconds end) as clickstream_gap_seconds
    from session_gap_settings
),

events_with_previous as (
    select
        events.*,
        case events.source
            when 'http_log' then session_gaps.http_log_gap_seconds
            when 'webshop_events' then session_gaps.webshop_events_gap_seconds
            when 'device_events' then session_gaps.device_events_gap_seconds
            when 'clickstream' then session_gaps.clickstream_gap_seconds
        end as session_gap_seconds,
        -- no default argument (Redshift's LAG has none): the first event gets null and starts a session
        lag(events.event_at) over (
            partition by events.source, events.user_id
            order by events.event_at, events.source_file, events.source_line
        ) as previous_event_at,
        row_number() over (
            partition by events.source, events.user_id
            order by events.event_at, events.source_file, events.source_line
        ) as user_event_number
    from events
    cross join session_gaps
),

events_with_gap as (
    select
        events_with_previous.*,
        cast(extract(epoch from event_at) - extract(epoch from previous_event_at) as decimal(18, 6))
            as seconds_since_previous_event
    from events_with_previous
),

events_flagged as (
    select
        events_with_gap.*,
        -- a gap of exactly the threshold starts a new session ("greater than or equal to"); one millisecond less does not
        case
            when previous_event_at is null then true
            when seconds_since_previous_event >= session_gap_seconds then true
            else false
        end as is_new_session
    from events_with_gap
),

events_numbered as (
    select
        events_flagged.*,
        sum(case when is_new_session then 1 else 0 end) over (
            partition by source, user_id
            order by event_at, source_file, source_line
            rows between unbounded preceding and current row
        ) as session_number
    from events_flagged
),

final as (
    select
        source,
        user_id,
        event_at,
        event_type,
        source_file,
        source_line,
        method,
        path,
        campaign_id,
        reward_id,
        event_id,
        properties,
        product_id,
        user_agent,
        ip,
        browser_family,
        os_family,
        device_family,
        session_gap_seconds,
        user_event_number,
        previous_event_at,
        seconds_since_previous_event,
        is_new_session,
        session_number,
        -- deterministic and readable; unambiguous because source has no ':' and session_number is the last part
        cast(source || ':' || user_id || ':' || cast(session_number as varchar(20)) as varchar(320)) as session_id
    from events_numbered
)

select * from final;

comment on view core.sessionized_events is 'Events that have a user (all but anonymous webshop events), with their session. Grain: one row per event; session_id identifies the session.';
comment on column core.sessionized_events.source is 'http_log, webshop_events, device_events or clickstream.';
comment on column core.sessionized_events.user_id is 'The user as written in the input.';
comment on column core.sessionized_events.event_at is 'When the event happened, UTC.';
comment on column core.sessionized_events.event_type is 'As in core.events.';
comment on column core.sessionized_events.source_file is 'Raw file name the event came from.';
comment on column core.sessionized_events.source_line is '1-based line number in the raw file; breaks ties between events at the same time.';
comment on column core.sessionized_events.method is 'http_log only: HTTP method.';
comment on column core.sessionized_events.path is 'http_log only: request path.';
comment on column core.sessionized_events.campaign_id is 'http_log only: the campaign id of a campaign_view.';
comment on column core.sessionized_events.reward_id is 'http_log only: the reward id of a reward_issue.';
comment on column core.sessionized_events.event_id is 'webshop_events only: the event''s JSON id.';
comment on column core.sessionized_events.properties is 'webshop_events only: compact JSON of the type-specific fields.';
comment on column core.sessionized_events.product_id is 'clickstream only: the productId.';
comment on column core.sessionized_events.user_agent is 'webshop_events and clickstream: the User-Agent header.';
comment on column core.sessionized_events.ip is 'webshop_events and clickstream: the client IP address.';
comment on column core.sessionized_events.browser_family is 'Browser family of this event.';
comment on column core.sessionized_events.os_family is 'Operating system family of this event.';
comment on column core.sessionized_events.device_family is 'Device family of this event.';
comment on column core.sessionized_events.session_gap_seconds is 'The source''s threshold from core.session_gap_settings when the view was read.';
comment on column core.sessionized_events.user_event_number is '1-based position of the event among its user''s events of this source (time, then source_file, source_line).';
comment on column core.sessionized_events.previous_event_at is 'The same user''s previous event time in this source; null for the first event.';
comment on column core.sessionized_events.seconds_since_previous_event is 'event_at - previous_event_at in seconds (microsecond precision); null for the first event.';
comment on column core.sessionized_events.is_new_session is 'True for the user''s first event and when seconds_since_previous_event >= session_gap_seconds.';
comment on column core.sessionized_events.session_number is '1-based number of the session among the user''s sessions in this source.';
comment on column core.sessionized_events.session_id is 'source:user_id:session_number, unique per session.';

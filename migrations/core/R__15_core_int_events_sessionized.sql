-- core.int_events_sessionized: the sessionization logic (issue 4's rules), applied to what the current refresh must
-- (re)build. The refresher writes its rows, context rows left out, into core.fct_sessionized_events_this_run and from
-- there into core.fct_sessionized_events; analysts read
-- core.sessionized_events. Outside a refresh it shows the events loaded since the last refresh, sessionized as if
-- each of their users started there.
--
-- Rules: events ordered by time, ties by position in the input (source_file, source_line) so results never depend on
-- the plan; a session starts at the user's first event and wherever the gap to the previous event is greater than or
-- equal to the threshold in core.session_gap_settings.
--
-- Input, two parts:
--   new events:      core.events of the buckets being built (core.int_refresh_scope), loaded after the source's
--                    core.refresh_state.loaded_through_load_id (all of them in a full refresh, or when the
--                    source is rebuilt, where that is -1);
--   reopened events: core.int_reopened_events, filled by the refresher with the materialised events of users that have
--                    new events, from the first session a new event can change, plus one context row per user: the
--                    event just before, which carries its session number and event number. Its time gives the first
--                    reopened event its previous_event_at, and the running sums continue from its numbers.
-- Numbers are running sums rather than row_number() so both continue from the context row; every window here has the
-- same partition and order, so the whole view is one sort. Only the columns the rules read go through it (the keys,
-- event type, campaign, reward, families): core.sessionized_events joins an event's other columns back from staging.

drop view if exists core.int_events_sessionized cascade;

create view core.int_events_sessionized as
with

refresh_scope as (
    select * from core.int_refresh_scope
),

events as (
    -- anonymous webshop events (null customer) have no user to sessionize; they stay in core.events
    select * from core.events
    where user_id is not null
        -- the users of the bucket this statement builds (all of them unless the refresher splits the work)
        and (
            (select bucket from refresh_scope) is null
            or mod(${user_hash(user_id)}, (select bucket_count from refresh_scope)) = (select bucket from refresh_scope)
        )
),

reopened_events as (
    select * from core.int_reopened_events
),

session_gap_settings as (
    select * from core.session_gap_settings
),

refresh_state as (
    select * from core.refresh_state
),

-- settings and state pivoted to one row, read below through scalar subqueries, which the database evaluates once per
-- statement. A join on source made the planner guess 2% of the rows (and wrong estimates turn later joins into nested
-- loops); a cross join with the one row was exact but costs a join step for every event (docs/performance.md).
session_gaps as (
    select
        max(case when source = 'http_log' then gap_seconds end) as http_log_gap_seconds,
        max(case when source = 'webshop_events' then gap_seconds end) as webshop_events_gap_seconds,
        max(case when source = 'device_events' then gap_seconds end) as device_events_gap_seconds,
        max(case when source = 'clickstream' then gap_seconds end) as clickstream_gap_seconds,
        max(case when source = 'access_log' then gap_seconds end) as access_log_gap_seconds
    from session_gap_settings
),

loaded_through as (
    select
        max(case when source = 'http_log' then loaded_through_load_id end) as http_log_load_id,
        max(case when source = 'webshop_events' then loaded_through_load_id end) as webshop_events_load_id,
        max(case when source = 'device_events' then loaded_through_load_id end) as device_events_load_id,
        max(case when source = 'clickstream' then loaded_through_load_id end) as clickstream_load_id,
        max(case when source = 'access_log' then loaded_through_load_id end) as access_log_load_id
    from refresh_state
),

new_events as (
    select
        -- the columns the rules read (ModelVariables.EventColumns), in core.int_reopened_events' order
        ${event_columns},
        events.load_id,
        false as is_context,
        cast(null as bigint) as carried_session_number,
        cast(null as bigint) as carried_user_event_number
    from events
    -- rows without a load_id (loaded before loads were numbered) count as load 0: only a rebuild (-1) takes them in.
    -- A full refresh takes in every row.
    where (select is_full from refresh_scope)
        or coalesce(events.load_id, 0) > case events.source
            when 'http_log' then (select http_log_load_id from loaded_through)
            when 'webshop_events' then (select webshop_events_load_id from loaded_through)
            when 'device_events' then (select device_events_load_id from loaded_through)
            when 'clickstream' then (select clickstream_load_id from loaded_through)
            when 'access_log' then (select access_log_load_id from loaded_through)
        end
),

events_to_sessionize as (
    select * from new_events
    union all
    select
        ${event_columns},
        load_id,
        is_context,
        carried_session_number,
        carried_user_event_number
    from reopened_events
),

events_with_previous as (
    select
        events_to_sessionize.*,
        case events_to_sessionize.source
            when 'http_log' then (select http_log_gap_seconds from session_gaps)
            when 'webshop_events' then (select webshop_events_gap_seconds from session_gaps)
            when 'device_events' then (select device_events_gap_seconds from session_gaps)
            when 'clickstream' then (select clickstream_gap_seconds from session_gaps)
            when 'access_log' then (select access_log_gap_seconds from session_gaps)
        end as session_gap_seconds,
        -- no default argument (Redshift's LAG has none): the first event gets null and starts a session
        -- partitioned by user first: the sort's leading key then varies, so PostgreSQL's abbreviated keys work (with the
        -- constant-per-source column first they are abandoned and every comparison walks the whole key)
        lag(events_to_sessionize.event_at) over (
            partition by events_to_sessionize.user_id, events_to_sessionize.source
            order by events_to_sessionize.event_at, events_to_sessionize.source_file, events_to_sessionize.source_line
        ) as previous_event_at
    from events_to_sessionize
),

events_flagged as (
    select
        events_with_previous.*,
        -- a gap of exactly the threshold starts a new session ("greater than or equal to"); one millisecond less does not.
        -- Compared as timestamps: exact to the microsecond, and far cheaper than numeric seconds.
        case
            when previous_event_at is null then true
            when event_at >= previous_event_at + session_gap_seconds * interval '1 second' then true
            else false
        end as is_new_session
    from events_with_previous
),

events_numbered as (
    select
        events_flagged.*,
        -- a context row contributes the numbers it already had, so the rebuilt part continues from them.
        -- Summed as integers (per-user counts never near 2^31): sum(integer) keeps a bigint running total, where
        -- sum(bigint) goes through numeric for every row.
        sum(cast(case when is_context then carried_session_number when is_new_session then 1 else 0 end as integer)) over (
            partition by user_id, source
            order by event_at, source_file, source_line
            rows between unbounded preceding and current row
        ) as session_number,
        sum(cast(case when is_context then carried_user_event_number else 1 end as integer)) over (
            partition by user_id, source
            order by event_at, source_file, source_line
            rows between unbounded preceding and current row
        ) as user_event_number
    from events_flagged
),

final as (
    select
        ${event_columns},
        -- session_id, seconds_since_previous_event and session_gap_seconds are derived from these where they are
        -- read (core.sessionized_events, core.int_sessions_aggregated), not stored per event (V0063)
        events_numbered.user_event_number,
        events_numbered.previous_event_at,
        events_numbered.is_new_session,
        events_numbered.session_number,
        events_numbered.load_id,
        (select refresh_id from refresh_scope) as refresh_id,
        cast(mod(${user_hash(events_numbered.user_id)}, (select bucket_count from refresh_scope)) as smallint) as user_bucket,
        events_numbered.is_context
    from events_numbered
)

select * from final;

comment on view core.int_events_sessionized is 'Sessionization logic over what the current refresh rebuilds (new events plus reopened materialised ones); the refresher materialises it into core.fct_sessionized_events. Analysts read core.sessionized_events.';
comment on column core.int_events_sessionized.is_context is 'True for the context row the refresher adds before a user''s rebuilt events; never materialised.';

-- marts.order_journeys: one row per order, with the visits and the time a webshop customer needed before it. An order
-- is an order session (a session with a placed_order event); its journey is the customer's sessions since the previous
-- order session (or since the first session), not counting the order session itself. Orders in sessions 7 and 8 of
-- one customer give 6 and 0 visits. At this grain a median over any time frame is exact: "median minutes before an
-- order last month" is a percentile_cont over where order_date between ... (medians of days cannot be combined).

-- cascade: marts.order_metrics and marts.order_metrics_daily read it; the runner re-applies every later repeatable
drop view if exists marts.order_journeys cascade;

create view marts.order_journeys as
with

sessions as (
    -- materialised sessions (core.fct_sessions, as core.sessions plus has_placed_order). No anonymous webshop events:
    -- they have no customer.
    select * from core.fct_sessions
    where source = 'webshop_events'
),

sessions_flagged as (
    select
        user_id,
        session_id,
        session_number,
        session_start,
        duration_seconds,
        case when has_placed_order then 1 else 0 end as is_order_session
    from sessions
),

-- the number of order sessions strictly before each session: an order session and the sessions leading up to it
-- (after the previous order session) share it, so one GROUP BY collects them without a correlated subquery
sessions_grouped as (
    select
        sessions_flagged.*,
        sum(is_order_session) over (
            partition by user_id
            order by session_number
            rows between unbounded preceding and current row
        ) - is_order_session as orders_before
    from sessions_flagged
),

orders as (
    select
        user_id,
        -- the group's one order session is its last
        max(case when is_order_session = 1 then session_id end) as session_id,
        max(case when is_order_session = 1 then session_start end) as order_session_start,
        sum(1 - is_order_session) as visits_before_order,
        sum(case when is_order_session = 0 then duration_seconds else 0 end) as seconds_before_order
    from sessions_grouped
    group by user_id, orders_before
    -- sessions after a customer's last order session form a group without an order: not an order
    having max(is_order_session) = 1
),

final as (
    select
        user_id,
        session_id,
        order_session_start,
        ${utc_day(order_session_start)} as order_date,
        cast(visits_before_order as bigint) as visits_before_order,
        -- double precision: what percentile_cont computes in, so a median over it is the median of the exact minutes
        cast(seconds_before_order / 60.0 as double precision) as minutes_before_order
    from orders
)

select * from final;

comment on view marts.order_journeys is 'One row per order session (a webshop session with a placed_order event) of every customer: the visits and minutes before it. Grain: session_id.';
comment on column marts.order_journeys.user_id is 'The customer.';
comment on column marts.order_journeys.session_id is 'The order session (core.sessions.session_id).';
comment on column marts.order_journeys.order_session_start is 'When the order session started, UTC.';
comment on column marts.order_journeys.order_date is 'UTC day on which the order session started. A time frame is where order_date between ... and ....';
comment on column marts.order_journeys.visits_before_order is 'The customer''s sessions between the previous order session (or the first session) and this one, this one not counted.';
comment on column marts.order_journeys.minutes_before_order is 'The summed durations of those sessions, in minutes (seconds / 60).';

-- tests:
--   unique: session_id
--   not_null: user_id, session_id, order_session_start, order_date, visits_before_order, minutes_before_order
--   relationships: session_id -> core.sessions(session_id)
--   expression: visits_before_order >= 0 and minutes_before_order >= 0

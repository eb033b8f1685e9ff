-- marts.order_metrics: how many visits, and how much time in them, a webshop customer needs before ordering.
-- For each order session (a session with a placed_order event): the customer's sessions since the previous order
-- session (or since the first session), not counting the order session itself. Orders in sessions 7 and 8 of one
-- customer give 6 and 0 visits.

drop view if exists marts.order_metrics;

create view marts.order_metrics as
with

sessions as (
    -- materialised sessions (core.fct_sessions, as core.sessions plus has_placed_order): this mart reads sessions,
    -- not events, so it is recomputed in full on every read, cheaply. No anonymous webshop events: they have no customer.
    select * from core.fct_sessions
    where source = 'webshop_events'
),

sessions_flagged as (
    select
        user_id,
        session_number,
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
        orders_before,
        sum(1 - is_order_session) as visits_before_order,
        sum(case when is_order_session = 0 then duration_seconds else 0 end) as seconds_before_order
    from sessions_grouped
    group by user_id, orders_before
    -- sessions after a customer's last order session form a group without an order: not an order
    having max(is_order_session) = 1
),

-- one median per SELECT: Redshift requires every ordered aggregate of a SELECT to share the same ORDER BY
median_visits as (
    select
        percentile_cont(0.5) within group (order by visits_before_order) as median_visits_before_order
    from orders
),

median_minutes as (
    select
        percentile_cont(0.5) within group (order by seconds_before_order / 60.0) as median_session_duration_minutes_before_order
    from orders
),

final as (
    select
        cast(median_visits.median_visits_before_order as decimal(18, 6)) as median_visits_before_order,
        cast(median_minutes.median_session_duration_minutes_before_order as decimal(18, 6))
            as median_session_duration_minutes_before_order
    from median_visits
    cross join median_minutes
)

select * from final;

comment on view marts.order_metrics is 'One row: medians over all order sessions (webshop sessions with a placed_order event) of all customers; anonymous events left out. Null when there is no order.';
comment on column marts.order_metrics.median_visits_before_order is 'Median number of the customer''s sessions between the previous order session (or the first session) and the order session, the order session not counted.';
comment on column marts.order_metrics.median_session_duration_minutes_before_order is 'Median of the summed durations of those sessions, in minutes (seconds / 60).';

-- tests:
--   expression: median_visits_before_order >= 0
--   expression: median_session_duration_minutes_before_order >= 0

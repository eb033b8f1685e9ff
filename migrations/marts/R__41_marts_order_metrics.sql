-- marts.order_metrics: how many visits, and how much time in them, a webshop customer needs before ordering: the
-- medians over every order of marts.order_journeys. A time frame is marts.order_metrics_daily or, exact for any range,
-- a median over marts.order_journeys.

drop view if exists marts.order_metrics;

create view marts.order_metrics as
with

-- the order rule is marts.order_journeys': one row per order
orders as (
    select * from marts.order_journeys
),

-- one median per SELECT: Redshift requires every ordered aggregate of a SELECT to share the same ORDER BY
median_visits as (
    select
        percentile_cont(0.5) within group (order by visits_before_order) as median_visits_before_order
    from orders
),

median_minutes as (
    select
        percentile_cont(0.5) within group (order by minutes_before_order) as median_session_duration_minutes_before_order
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

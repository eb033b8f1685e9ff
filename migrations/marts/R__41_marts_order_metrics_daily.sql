-- marts.order_metrics_daily: marts.order_metrics per UTC day of the order session's start. A day's medians are exact for
-- that day; a longer frame needs the median over marts.order_journeys (medians of days cannot be combined).

drop view if exists marts.order_metrics_daily;

create view marts.order_metrics_daily as
with

orders as (
    select * from marts.order_journeys
),

-- one median per SELECT: Redshift requires every ordered aggregate of a SELECT to share the same ORDER BY
daily_visits as (
    select
        order_date,
        count(*) as orders,
        percentile_cont(0.5) within group (order by visits_before_order) as median_visits_before_order
    from orders
    group by order_date
),

daily_minutes as (
    select
        order_date,
        percentile_cont(0.5) within group (order by minutes_before_order) as median_minutes_before_order
    from orders
    group by order_date
),

final as (
    select
        daily_visits.order_date,
        cast(daily_visits.orders as bigint) as orders,
        cast(daily_visits.median_visits_before_order as decimal(18, 6)) as median_visits_before_order,
        cast(daily_minutes.median_minutes_before_order as decimal(18, 6)) as median_minutes_before_order
    from daily_visits
    inner join daily_minutes
        on daily_minutes.order_date = daily_visits.order_date
)

select * from final;

comment on view marts.order_metrics_daily is 'Per UTC day of order session start: orders and the medians of marts.order_metrics over that day''s orders. Grain: order_date.';
comment on column marts.order_metrics_daily.order_date is 'UTC day on which the order sessions started.';
comment on column marts.order_metrics_daily.orders is 'Order sessions starting that day.';
comment on column marts.order_metrics_daily.median_visits_before_order is 'Median of marts.order_journeys.visits_before_order over the day''s orders.';
comment on column marts.order_metrics_daily.median_minutes_before_order is 'Median of marts.order_journeys.minutes_before_order over the day''s orders.';

-- tests:
--   unique: order_date
--   not_null: order_date, orders, median_visits_before_order, median_minutes_before_order
--   expression: orders > 0 and median_visits_before_order >= 0 and median_minutes_before_order >= 0

-- core.int_daily_sessions_by_key: per UTC day of session start, source and browser / OS / device family, sessions,
-- users, events and median duration. The rule of marts.sessions_by_key with the day added: a session counts under the
-- family of its first event, and a null family (no user agent, or a source without one) is its own group, so each
-- group_key's sessions of a day add up to the source's sessions that day. The refresher materialises it into
-- core.fct_daily_sessions_by_key for the days it touched.

drop view if exists core.int_daily_sessions_by_key cascade;

create view core.int_daily_sessions_by_key as
with

-- each session once per key (core.int_sessions_keyed), named in both CTEs below rather than imported once: PostgreSQL
-- materialises a CTE read twice, which copied every session three times and kept a filter on group_key from the scan
daily_totals as (
    select
        session_date,
        source,
        group_key,
        group_value,
        count(*) as sessions,
        count(distinct user_id) as users,
        cast(sum(event_count) as bigint) as events
    from core.int_sessions_keyed
    group by session_date, source, group_key, group_value
),

-- separate from the counts: Redshift rejects PERCENTILE_CONT together with a DISTINCT aggregate in one SELECT
daily_medians as (
    select
        session_date,
        source,
        group_key,
        group_value,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from core.int_sessions_keyed
    group by session_date, source, group_key, group_value
),

final as (
    select
        daily_totals.session_date,
        daily_totals.source,
        daily_totals.group_key,
        daily_totals.group_value,
        daily_totals.sessions,
        daily_totals.users,
        daily_totals.events,
        cast(daily_medians.median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from daily_totals
    inner join daily_medians
        on daily_medians.session_date = daily_totals.session_date
        and daily_medians.source = daily_totals.source
        and daily_medians.group_key = daily_totals.group_key
        -- a null family is a group of its own: it meets the null group of the same day, source and key
        and (
            daily_medians.group_value = daily_totals.group_value
            or (daily_medians.group_value is null and daily_totals.group_value is null)
        )
)

select * from final;

comment on view core.int_daily_sessions_by_key is 'Rule of marts.daily_sessions_by_key over core.int_sessions_refreshed; materialised by the refresher into core.fct_daily_sessions_by_key.';

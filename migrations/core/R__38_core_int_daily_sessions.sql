-- core.int_daily_sessions: per source and UTC day of session start, sessions, users, events and median duration. The
-- rule of marts.daily_sessions; the refresher materialises it into core.fct_daily_sessions for the days it touched.

drop view if exists core.int_daily_sessions cascade;

create view core.int_daily_sessions as
with

-- core.int_sessions_refreshed is named in both CTEs below rather than imported once: PostgreSQL materialises a CTE read
-- twice, which copied every session and kept the refresher's filter on source and day from reaching the scan
daily_totals as (
    select
        source,
        session_date,
        count(*) as sessions,
        count(distinct user_id) as users,
        cast(sum(event_count) as bigint) as events
    from core.int_sessions_refreshed
    group by source, session_date
),

-- separate from the counts: Redshift rejects PERCENTILE_CONT together with a DISTINCT aggregate in one SELECT
daily_medians as (
    select
        source,
        session_date,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from core.int_sessions_refreshed
    group by source, session_date
),

final as (
    select
        daily_totals.source,
        daily_totals.session_date,
        daily_totals.sessions,
        daily_totals.users,
        daily_totals.events,
        cast(daily_medians.median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from daily_totals
    inner join daily_medians
        on daily_medians.source = daily_totals.source
        and daily_medians.session_date = daily_totals.session_date
)

select * from final;

comment on view core.int_daily_sessions is 'Rule of marts.daily_sessions over core.int_sessions_refreshed; materialised by the refresher into core.fct_daily_sessions.';

-- marts.landing_pages: per landing page (the first page view of an access_log session): sessions, bounces and bounce
-- rate (a bounce is a session with one page view; its assets do not count), pages per session and the median session
-- duration. Built from core.access_log_sessions.

drop view if exists marts.landing_pages;

create view marts.landing_pages as
with

access_log_sessions as (
    select * from core.access_log_sessions
    where landing_page is not null
),

landing_page_totals as (
    select
        landing_page,
        count(*) as sessions,
        sum(case when page_views = 1 then 1 else 0 end) as bounces,
        sum(page_views) as page_views,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from access_log_sessions
    group by landing_page
),

final as (
    select
        landing_page,
        sessions,
        cast(bounces as bigint) as bounces,
        cast(cast(bounces as decimal(18, 6)) / sessions as decimal(18, 6)) as bounce_rate,
        cast(cast(page_views as decimal(18, 6)) / sessions as decimal(18, 6)) as pages_per_session,
        cast(median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from landing_page_totals
)

select * from final;

comment on view marts.landing_pages is 'Per landing page (path of the first page view of an access_log session): sessions, bounces, bounce rate, pages per session, median session duration. Grain: landing_page.';
comment on column marts.landing_pages.landing_page is 'Request path without its query string.';
comment on column marts.landing_pages.sessions is 'Sessions that landed on this page.';
comment on column marts.landing_pages.bounces is 'Of those, sessions with exactly one page view (assets and errors not counted).';
comment on column marts.landing_pages.bounce_rate is 'bounces / sessions.';
comment on column marts.landing_pages.pages_per_session is 'Page views of those sessions / sessions.';
comment on column marts.landing_pages.median_duration_seconds is 'Median duration of those sessions in seconds (first to last request, assets included; percentile_cont(0.5)).';

-- tests:
--   unique: landing_page
--   not_null: landing_page, sessions, bounces, bounce_rate, pages_per_session, median_duration_seconds
--   expression: bounces <= sessions

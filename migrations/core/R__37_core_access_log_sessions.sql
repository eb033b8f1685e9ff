-- core.access_log_sessions: one row per access_log session (bots are never sessionized) with its landing page and
-- traffic source, as of the last refresh. The marts traffic_sources and landing_pages are groupings of it.
--
-- Rules:
--   landing page: the session's first page view (core.int_access_log_requests: no asset, 2xx/3xx); a session of assets
--                 or errors only has none, and no channel (a hotlinked image is not a visit).
--   channel:      campaign when the landing page's query string has utm_source, utm_medium or utm_campaign (a tagged
--                 link says where the visitor came from better than the referrer, so it wins over it); else the landing
--                 page's referrer channel: direct, internal, search, social or referral.
-- The sessions and their events are the refresher's materialised rows; the landing page's query string and referrer
-- are joined back from the request, found by load, file and line as core.sessionized_events does.

drop view if exists core.access_log_sessions cascade;

create view core.access_log_sessions as
with

fct_sessions as (
    select * from core.fct_sessions
    where source = 'access_log'
),

page_views as (
    select * from core.fct_sessionized_events
    where source = 'access_log'
        and event_type = 'page_view'
),

requests as (
    select * from core.int_access_log_requests
),

-- one sort of the page views gives both each session's first one and its count
page_views_numbered as (
    select
        user_id,
        session_number,
        load_id,
        source_file,
        source_line,
        row_number() over (
            partition by user_id, session_number
            order by user_event_number
        ) as page_view_number,
        count(*) over (
            partition by user_id, session_number
        ) as page_views
    from page_views
),

landing_views as (
    select * from page_views_numbered
    where page_view_number = 1
),

landing_requests as (
    select
        landing_views.user_id,
        landing_views.session_number,
        landing_views.page_views,
        requests.path,
        requests.query_string,
        requests.referrer_host,
        requests.referrer_name,
        requests.referrer_channel,
        requests.utm_source,
        requests.utm_medium,
        requests.utm_campaign
    from landing_views
    inner join requests
        on coalesce(requests.load_id, 0) = coalesce(landing_views.load_id, 0)
        and requests.source_file = landing_views.source_file
        and requests.source_line = landing_views.source_line
),

final as (
    select
        fct_sessions.session_id,
        fct_sessions.user_id,
        fct_sessions.session_number,
        fct_sessions.session_start,
        ${utc_day(fct_sessions.session_start)} as session_date,
        fct_sessions.session_end,
        fct_sessions.duration_seconds,
        fct_sessions.event_count,
        cast(coalesce(landing_requests.page_views, 0) as bigint) as page_views,
        landing_requests.path as landing_page,
        landing_requests.query_string as landing_query_string,
        cast(
            case
                when landing_requests.path is null then null
                when landing_requests.utm_source is not null
                    or landing_requests.utm_medium is not null
                    or landing_requests.utm_campaign is not null then 'campaign'
                else landing_requests.referrer_channel
            end
            as varchar(16)
        ) as channel,
        landing_requests.referrer_host as referring_domain,
        landing_requests.referrer_name,
        landing_requests.utm_source,
        landing_requests.utm_medium,
        landing_requests.utm_campaign
    from fct_sessions
    left join landing_requests
        on landing_requests.user_id = fct_sessions.user_id
        and landing_requests.session_number = fct_sessions.session_number
)

select * from final;

comment on view core.access_log_sessions is 'One row per access_log session with its landing page (first page view) and traffic channel, as of the last refresh. Grain: session_id.';
comment on column core.access_log_sessions.session_id is 'The session (core.sessions.session_id).';
comment on column core.access_log_sessions.user_id is 'The authenticated user, else the visitor key.';
comment on column core.access_log_sessions.session_number is '1-based number of the session among the user''s sessions.';
comment on column core.access_log_sessions.session_start is 'Time of the session''s first request, UTC.';
comment on column core.access_log_sessions.session_date is 'UTC calendar day of session_start.';
comment on column core.access_log_sessions.session_end is 'Time of the session''s last request, UTC.';
comment on column core.access_log_sessions.duration_seconds is 'session_end - session_start in seconds, assets and errors included.';
comment on column core.access_log_sessions.event_count is 'Requests in the session: page views, assets, errors.';
comment on column core.access_log_sessions.page_views is 'Page views in the session; 0 for a session of assets or errors only.';
comment on column core.access_log_sessions.landing_page is 'Path (without query string) of the session''s first page view; null when it has none.';
comment on column core.access_log_sessions.landing_query_string is 'Query string of the landing page request; null when none.';
comment on column core.access_log_sessions.channel is 'campaign (UTM fields on the landing page), else the landing page''s referrer channel: direct, internal, search, social or referral; null without a page view.';
comment on column core.access_log_sessions.referring_domain is 'Referrer host of the landing page request; null without a referrer.';
comment on column core.access_log_sessions.referrer_name is 'Search engine or social network of the referring domain; null for others.';
comment on column core.access_log_sessions.utm_source is 'utm_source of the landing page''s query string; null when absent.';
comment on column core.access_log_sessions.utm_medium is 'utm_medium of the landing page''s query string; null when absent.';
comment on column core.access_log_sessions.utm_campaign is 'utm_campaign of the landing page''s query string; null when absent.';

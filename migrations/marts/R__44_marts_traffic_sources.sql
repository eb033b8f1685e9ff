-- marts.traffic_sources: access_log sessions per UTC day of their start and traffic channel, with the referring
-- domain and the UTM fields of the landing page. The channel rule (campaign wins over the referrer) lives in
-- core.access_log_sessions; sessions without a page view have no landing page and are not counted.

drop view if exists marts.traffic_sources;

create view marts.traffic_sources as
with

access_log_sessions as (
    select * from core.access_log_sessions
    where channel is not null
),

final as (
    select
        session_date,
        channel,
        referring_domain,
        utm_source,
        utm_medium,
        utm_campaign,
        count(*) as sessions,
        cast(sum(page_views) as bigint) as page_views
    from access_log_sessions
    group by session_date, channel, referring_domain, utm_source, utm_medium, utm_campaign
)

select * from final;

comment on view marts.traffic_sources is 'access_log sessions with a page view, per UTC day of session start, channel, referring domain and UTM fields. Grain: session_date, channel, referring_domain, utm_source, utm_medium, utm_campaign (nulls as values).';
comment on column marts.traffic_sources.session_date is 'UTC calendar day on which the sessions started.';
comment on column marts.traffic_sources.channel is 'campaign (utm_source, utm_medium or utm_campaign on the landing page; wins over the referrer), direct (no referrer), internal (referrer on the site''s own host), search, social (core.referrer_host_patterns) or referral (any other referrer).';
comment on column marts.traffic_sources.referring_domain is 'Referrer host of the landing page request, lower case; null without a referrer.';
comment on column marts.traffic_sources.utm_source is 'utm_source of the landing page''s query string, as logged; null when absent.';
comment on column marts.traffic_sources.utm_medium is 'utm_medium of the landing page''s query string, as logged; null when absent.';
comment on column marts.traffic_sources.utm_campaign is 'utm_campaign of the landing page''s query string, as logged; null when absent.';
comment on column marts.traffic_sources.sessions is 'Sessions starting that day from this source.';
comment on column marts.traffic_sources.page_views is 'Page views in those sessions.';

-- tests:
--   unique: session_date, channel, referring_domain, utm_source, utm_medium, utm_campaign
--   not_null: session_date, channel, sessions, page_views
--   accepted_values: channel in (campaign, direct, internal, search, social, referral)

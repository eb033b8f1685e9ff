-- core.int_access_log_requests: the rules of the access_log source (issue 18), one row per request, bots included.
-- core.events takes the requests that are not bots; marts.http_status_daily counts them all; core.access_log_sessions
-- reads the landing page's referrer and UTM fields here.
--
-- Rules (the visitor key is core.int_access_log_requests_parsed's):
--   bot:       the lower-cased agent contains a pattern of core.bot_agent_patterns, or the visitor fetched /robots.txt
--              at any time (only robots read it). Staging keeps bots; sessions and session marts leave them out.
--   asset:     the path's extension is in core.asset_extensions: activity for the session, not a page view.
--   page view: not an asset, a parsed request line, status 2xx or 3xx (a redirect answers a page request too).
--   event_type: asset, page_view, error (4xx or 5xx, not an asset) or request (anything else, e.g. 1xx).
--   referrer channel: direct (no referrer), internal (the site's own host), search or social
--              (core.referrer_host_patterns), referral (any other). The log does not name its own host, so the site's
--              host is the most frequent referrer host of the log: every asset and every click between pages carries
--              one of the site's pages as referrer, which outnumbers any outside site in a real log.
-- The patterns are matched once per distinct agent and host (a few thousand), never once per request.

drop view if exists core.int_access_log_requests cascade;

create view core.int_access_log_requests as
with

requests as (
    select * from core.int_access_log_requests_parsed
),

bot_agent_patterns as (
    select * from core.bot_agent_patterns
),

asset_extensions as (
    select * from core.asset_extensions
),

referrer_host_patterns as (
    select * from core.referrer_host_patterns
),

-- core.int_access_log_requests_parsed is named in each CTE below rather than imported once: PostgreSQL materialises a
-- CTE read more than once, which would copy every request
robots_visitors as (
    select distinct user_id
    from core.int_access_log_requests_parsed
    where is_robots_fetch
),

agent_matches as (
    select
        agents.user_agent_lower,
        bot_agent_patterns.bot_family,
        bot_agent_patterns.bot_kind,
        row_number() over (
            partition by agents.user_agent_lower
            order by bot_agent_patterns.priority, bot_agent_patterns.agent_pattern
        ) as match_rank
    from (
        select distinct user_agent_lower
        from core.int_access_log_requests_parsed
        where user_agent_lower is not null
    ) as agents
    inner join bot_agent_patterns
        on agents.user_agent_lower like '%' || bot_agent_patterns.agent_pattern || '%'
),

bot_agents as (
    select
        user_agent_lower,
        bot_family,
        bot_kind
    from agent_matches
    where match_rank = 1
),

referrer_host_counts as (
    select
        referrer_host,
        count(*) as requests
    from core.int_access_log_requests_parsed
    where referrer_host is not null
    group by referrer_host
),

-- ties go to the first host in alphabetical order, so the answer never depends on the plan
site_host as (
    select min(referrer_host) as site_host
    from referrer_host_counts
    where requests = (select max(requests) from referrer_host_counts)
),

host_matches as (
    select
        referrer_host_counts.referrer_host,
        referrer_host_patterns.referrer_name,
        referrer_host_patterns.channel,
        row_number() over (
            partition by referrer_host_counts.referrer_host
            order by referrer_host_patterns.host_pattern
        ) as match_rank
    from referrer_host_counts
    inner join referrer_host_patterns
        on '.' || referrer_host_counts.referrer_host like referrer_host_patterns.host_pattern
),

known_hosts as (
    select
        referrer_host,
        referrer_name,
        channel
    from host_matches
    where match_rank = 1
),

requests_flagged as (
    select
        requests.*,
        bot_agents.bot_family,
        bot_agents.bot_kind,
        case when asset_extensions.extension is not null then true else false end as is_asset,
        case when robots_visitors.user_id is not null then true else false end as is_robots_visitor,
        known_hosts.referrer_name,
        known_hosts.channel as known_host_channel
    from requests
    left join bot_agents
        on bot_agents.user_agent_lower = requests.user_agent_lower
    left join asset_extensions
        on asset_extensions.extension = requests.path_extension
    left join robots_visitors
        on robots_visitors.user_id = requests.user_id
    left join known_hosts
        on known_hosts.referrer_host = requests.referrer_host
),

final as (
    select
        user_id,
        client_address,
        auth_user,
        event_at,
        method,
        path,
        query_string,
        status,
        referrer,
        user_agent,
        browser_family,
        os_family,
        device_family,
        source_file,
        source_line,
        load_id,
        case when bot_family is not null or is_robots_visitor then true else false end as is_bot,
        -- the agent's bot family; a robots.txt visitor whose agent matches no pattern is 'robots.txt visitor'
        cast(
            case
                when bot_family is not null then bot_family
                when is_robots_visitor then 'robots.txt visitor'
            end
            as varchar(64)
        ) as bot_family,
        cast(case when bot_family is not null then bot_kind when is_robots_visitor then 'crawler' end as varchar(16)) as bot_kind,
        is_asset,
        case
            when not is_asset and path is not null and status between 200 and 399 then true
            else false
        end as is_page_view,
        cast(
            case
                when is_asset then 'asset'
                when path is not null and status between 200 and 399 then 'page_view'
                when status >= 400 then 'error'
                else 'request'
            end
            as varchar(64)
        ) as event_type,
        cast(
            case
                when status between 100 and 599 then cast(cast(status / 100 as integer) as varchar(1)) || 'xx'
                else 'other'
            end
            as varchar(8)
        ) as status_class,
        referrer_host,
        cast(referrer_name as varchar(64)) as referrer_name,
        cast(
            case
                when referrer is null or referrer = '' then 'direct'
                -- the site answers with and without www. (semicomplete.com and www.semicomplete.com are one site)
                when referrer_host = (select site_host from site_host)
                    or referrer_host = 'www.' || (select site_host from site_host)
                    or 'www.' || referrer_host = (select site_host from site_host) then 'internal'
                when known_host_channel is not null then known_host_channel
                else 'referral'
            end
            as varchar(16)
        ) as referrer_channel,
        utm_source,
        utm_medium,
        utm_campaign
    from requests_flagged
)

select * from final;

comment on view core.int_access_log_requests is 'The access_log rules per request (bots, assets, page views, event type, referrer channel); bots included. Grain: load_id, source_file, source_line.';
comment on column core.int_access_log_requests.user_id is 'The authenticated user where the log has one, else the visitor key ''v:'' || md5(client_address || ''|'' || user_agent) (core.int_access_log_requests_parsed).';
comment on column core.int_access_log_requests.is_bot is 'True when the agent matches core.bot_agent_patterns or the same user ever fetched /robots.txt.';
comment on column core.int_access_log_requests.bot_family is 'The matching bot family (lowest priority pattern), or ''robots.txt visitor''; null for people.';
comment on column core.int_access_log_requests.bot_kind is 'crawler or tool; null for people.';
comment on column core.int_access_log_requests.is_asset is 'True when the path''s extension is in core.asset_extensions.';
comment on column core.int_access_log_requests.is_page_view is 'True for a request that is not an asset, has a parsed request line and a 2xx or 3xx status.';
comment on column core.int_access_log_requests.event_type is 'asset, page_view, error (4xx/5xx, not an asset) or request (anything else).';
comment on column core.int_access_log_requests.status_class is '1xx .. 5xx by the status''s first digit; other for a status outside 100-599.';
comment on column core.int_access_log_requests.referrer_host is 'Host of the Referer URL, lower case, without port.';
comment on column core.int_access_log_requests.referrer_name is 'The search engine or social network of the referrer host (core.referrer_host_patterns); null for others.';
comment on column core.int_access_log_requests.referrer_channel is 'direct (no referrer), internal (the log''s most frequent referrer host, the site itself), search, social or referral.';
comment on column core.int_access_log_requests.utm_source is 'utm_source of the query string as logged; null when absent.';
comment on column core.int_access_log_requests.utm_medium is 'utm_medium of the query string as logged; null when absent.';
comment on column core.int_access_log_requests.utm_campaign is 'utm_campaign of the query string as logged; null when absent.';

-- core.int_access_log_requests_parsed: each access_log request (staging.access_log, bots included) with the parts the
-- rules of core.int_access_log_requests read, worked out of the logged fields. Kept apart so that model can read it
-- several times (robots.txt visitors, referrer hosts, user agents) and PostgreSQL inlines each read.
--
-- THE VISITOR RULE: the user of a request is the authenticated user where the log has one, else a visitor key derived
-- from client address and user agent ('v:' || md5(client_address || '|' || user_agent)), the usual rule of log
-- analysers (AWStats, GoAccess, Matomo's log importer): a log has no cookie, and one browser on one address is the
-- closest it gets to one person. md5 keeps the key short and is the same function on Redshift.
-- Parsing uses split_part and reverse only (no regular expressions): the same on both targets.

drop view if exists core.int_access_log_requests_parsed cascade;

create view core.int_access_log_requests_parsed as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and the rules model
-- filters and joins on these columns.
select
    access_log.client_address,
    access_log.auth_user,
    access_log.event_at,
    access_log.method,
    access_log.path,
    access_log.query_string,
    access_log.status,
    access_log.referrer,
    access_log.user_agent,
    access_log.browser_family,
    access_log.os_family,
    access_log.device_family,
    access_log.source_file,
    access_log.source_line,
    access_log.load_id,
    cast(
        coalesce(access_log.auth_user, 'v:' || md5(access_log.client_address || '|' || coalesce(access_log.user_agent, '')))
        as varchar(256)
    ) as user_id,
    cast(lower(access_log.user_agent) as varchar(4096)) as user_agent_lower,
    -- whoever asks for /robots.txt is reading the rules for robots: a crawler, whatever agent it claims
    case when lower(access_log.path) = '/robots.txt' then true else false end as is_robots_fetch,
    -- the extension: what follows the path's last dot, when that dot is in the last segment (/v1.2/list has none)
    cast(
        case
            when strpos(split_part(reverse(access_log.path), '/', 1), '.') > 0
                then lower(reverse(split_part(reverse(access_log.path), '.', 1)))
        end
        as varchar(4096)
    ) as path_extension,
    -- the referrer's host: between :// and the next /, without a port, lower case; null without a referrer or a host
    cast(
        nullif(lower(split_part(split_part(split_part(access_log.referrer, '://', 2), '/', 1), ':', 1)), '')
        as varchar(4096)
    ) as referrer_host,
    -- UTM parameters of the query string, as logged (not URL-decoded); null when absent or empty. The delimiters around
    -- the string make a parameter at its start or end look like one in the middle.
    cast(nullif(split_part(split_part('&' || coalesce(access_log.query_string, '') || '&', '&utm_source=', 2), '&', 1), '') as varchar(4096)) as utm_source,
    cast(nullif(split_part(split_part('&' || coalesce(access_log.query_string, '') || '&', '&utm_medium=', 2), '&', 1), '') as varchar(4096)) as utm_medium,
    cast(nullif(split_part(split_part('&' || coalesce(access_log.query_string, '') || '&', '&utm_campaign=', 2), '&', 1), '') as varchar(4096)) as utm_campaign
from staging.access_log as access_log;

comment on view core.int_access_log_requests_parsed is 'Each access_log request (bots included) with its visitor key, referrer host, path extension and UTM fields; read by core.int_access_log_requests. Grain: load_id, source_file, source_line.';
comment on column core.int_access_log_requests_parsed.user_id is 'The authenticated user where the log has one, else the visitor key ''v:'' || md5(client_address || ''|'' || user_agent).';
comment on column core.int_access_log_requests_parsed.user_agent_lower is 'The User-Agent in lower case, as the bot patterns are written.';
comment on column core.int_access_log_requests_parsed.is_robots_fetch is 'True for a request of /robots.txt (any case).';
comment on column core.int_access_log_requests_parsed.path_extension is 'What follows the last dot of the path''s last segment, lower case; null when that segment has no dot.';
comment on column core.int_access_log_requests_parsed.referrer_host is 'Host of the Referer URL, lower case, without port; null when there is no referrer or it has no host.';
comment on column core.int_access_log_requests_parsed.utm_source is 'utm_source of the query string as logged; null when absent or empty.';
comment on column core.int_access_log_requests_parsed.utm_medium is 'utm_medium of the query string as logged; null when absent or empty.';
comment on column core.int_access_log_requests_parsed.utm_campaign is 'utm_campaign of the query string as logged; null when absent or empty.';

-- core.int_events_from_http_log: staging.http_log's rows as core.events' columns (ModelVariables: core_events_columns),
-- each request classified. core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_http_log cascade;

create view core.int_events_from_http_log as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
select
    cast('http_log' as varchar(32)) as source,
    user_id,
    event_at,
    cast(request_type as varchar(64)) as event_type,
    source_file,
    source_line,
    method,
    path,
    cast(case when request_type = 'campaign_view' then resource_id end as varchar(256)) as campaign_id,
    cast(case when request_type = 'reward_issue' then resource_id end as varchar(256)) as reward_id,
    cast(null as bigint) as event_id,
    cast(null as varchar(65535)) as properties,
    cast(null as varchar(256)) as product_id,
    cast(null as varchar(4096)) as user_agent,
    cast(null as varchar(64)) as ip,
    cast(null as varchar(256)) as browser_family,
    cast(null as varchar(256)) as os_family,
    cast(null as varchar(256)) as device_family,
    load_id
from (
    -- classified rather than method || path so campaign views and reward issues read as what they are; any other
    -- request is still activity and counts for sessions
    select
        http_requests.*,
        case
            when method = 'GET' and resource = 'campaigns' and resource_id <> '' and resource_rest = '' then 'campaign_view'
            when method = 'POST' and resource = 'rewards' and resource_id <> '' and resource_rest = '' then 'reward_issue'
            else 'request'
        end as request_type
    from (
        select
            http_log.*,
            -- a query string is not part of the resource: /campaigns/7?ref=mail views campaign 7
            split_part(split_part(path, '?', 1), '/', 2) as resource,
            split_part(split_part(path, '?', 1), '/', 3) as resource_id,
            split_part(split_part(path, '?', 1), '/', 4) as resource_rest
        from staging.http_log
    ) as http_requests
) as http_requests_classified;

comment on view core.int_events_from_http_log is 'staging.http_log as core.events rows: campaign_view (GET /campaigns/{id}), reward_issue (POST /rewards/{id}) or request.';

-- core.events: every source's rows in one shape, the only reader of the staging source tables (access_log's through its
-- rules model, core.int_access_log_requests, which leaves its bots out).
-- The cascade drops the views built on this one; the runner re-applies every later repeatable after this one runs,
-- so they come back in the same migration.

drop view if exists core.events cascade;

create view core.events as
with

http_log as (
    select * from staging.http_log
),

webshop_events as (
    select * from staging.webshop_events
),

device_events as (
    select * from staging.device_events
),

clickstream as (
    select * from staging.clickstream
),

-- bots stay in staging and in core.int_access_log_requests; sessions are people's
access_log_requests as (
    select * from core.int_access_log_requests
    where not is_bot
),

http_requests as (
    select
        http_log.*,
        -- a query string is not part of the resource: /campaigns/7?ref=mail views campaign 7
        split_part(split_part(path, '?', 1), '/', 2) as resource,
        split_part(split_part(path, '?', 1), '/', 3) as resource_id,
        split_part(split_part(path, '?', 1), '/', 4) as resource_rest
    from http_log
),

-- classified rather than method || path so campaign views and reward issues read as what they are; any other request
-- is still activity and counts for sessions
http_requests_classified as (
    select
        http_requests.*,
        case
            when method = 'GET' and resource = 'campaigns' and resource_id <> '' and resource_rest = '' then 'campaign_view'
            when method = 'POST' and resource = 'rewards' and resource_id <> '' and resource_rest = '' then 'reward_issue'
            else 'request'
        end as request_type
    from http_requests
),

http_events as (
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
    from http_requests_classified
),

webshop_events_renamed as (
    select
        cast('webshop_events' as varchar(32)) as source,
        -- null for anonymous events: they stay here but are not sessionized
        customer_id as user_id,
        event_at,
        event_type,
        source_file,
        source_line,
        cast(null as varchar(16)) as method,
        cast(null as varchar(4096)) as path,
        cast(null as varchar(256)) as campaign_id,
        cast(null as varchar(256)) as reward_id,
        event_id,
        properties,
        cast(null as varchar(256)) as product_id,
        user_agent,
        ip,
        browser_family,
        os_family,
        device_family,
        load_id
    from webshop_events
),

device_events_renamed as (
    select
        cast('device_events' as varchar(32)) as source,
        anonymous_id as user_id,
        event_at,
        -- null when the device sent no name
        cast(name as varchar(64)) as event_type,
        source_file,
        source_line,
        cast(null as varchar(16)) as method,
        cast(null as varchar(4096)) as path,
        cast(null as varchar(256)) as campaign_id,
        cast(null as varchar(256)) as reward_id,
        cast(null as bigint) as event_id,
        cast(null as varchar(65535)) as properties,
        cast(null as varchar(256)) as product_id,
        cast(null as varchar(4096)) as user_agent,
        cast(null as varchar(64)) as ip,
        browser_family,
        os_family,
        device_family,
        load_id
    from device_events
),

clickstream_renamed as (
    select
        cast('clickstream' as varchar(32)) as source,
        user_id,
        event_at,
        cast(case when product_id is not null then 'product_view' else 'page_view' end as varchar(64)) as event_type,
        source_file,
        source_line,
        cast(null as varchar(16)) as method,
        cast(null as varchar(4096)) as path,
        cast(null as varchar(256)) as campaign_id,
        cast(null as varchar(256)) as reward_id,
        cast(null as bigint) as event_id,
        cast(null as varchar(65535)) as properties,
        product_id,
        user_agent,
        ip,
        browser_family,
        os_family,
        device_family,
        load_id
    from clickstream
),

access_log_events as (
    select
        cast('access_log' as varchar(32)) as source,
        -- the authenticated user, else the visitor key (core.int_access_log_requests_parsed)
        user_id,
        event_at,
        -- asset, page_view, error or request: assets and errors are activity too, so they keep a session open
        event_type,
        source_file,
        source_line,
        method,
        path,
        cast(null as varchar(256)) as campaign_id,
        cast(null as varchar(256)) as reward_id,
        cast(null as bigint) as event_id,
        cast(null as varchar(65535)) as properties,
        cast(null as varchar(256)) as product_id,
        user_agent,
        cast(client_address as varchar(64)) as ip,
        browser_family,
        os_family,
        device_family,
        load_id
    from access_log_requests
),

final as (
    select * from http_events
    union all
    select * from webshop_events_renamed
    union all
    select * from device_events_renamed
    union all
    select * from clickstream_renamed
    union all
    select * from access_log_events
)

select * from final;

comment on view core.events is 'Every loaded event of every source in one shape; source-specific columns are null for other sources. Grain: one row per staging row (source, source_file, source_line per loaded file), access_log bots left out.';

-- a documented view: the read-only login of analysts, BI tools and the API reads it (V0140)
grant select on core.events to warehouse_api;
comment on column core.events.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column core.events.user_id is 'The user as written in the input: http user_id, webshop customer-id, device anonymous_id, clickstream userId, access_log the authenticated user or else the visitor key (core.int_access_log_requests_parsed). Null only for anonymous webshop events.';
comment on column core.events.event_at is 'When the event happened, UTC.';
comment on column core.events.event_type is 'http_log: campaign_view (GET /campaigns/{id}), reward_issue (POST /rewards/{id}) or request; webshop: its type; device: its name (null when absent); clickstream: product_view or page_view; access_log: page_view, asset, error or request (core.int_access_log_requests).';
comment on column core.events.source_file is 'Raw file name the event came from.';
comment on column core.events.source_line is '1-based line number in the raw file; breaks ties between events at the same time.';
comment on column core.events.method is 'http_log and access_log: HTTP method.';
comment on column core.events.path is 'http_log: request path; access_log: request path without the query string.';
comment on column core.events.campaign_id is 'http_log only: the campaign id of a campaign_view.';
comment on column core.events.reward_id is 'http_log only: the reward id of a reward_issue.';
comment on column core.events.event_id is 'webshop_events only: the event''s JSON id.';
comment on column core.events.properties is 'webshop_events only: compact JSON of the type-specific fields.';
comment on column core.events.product_id is 'clickstream only: the productId.';
comment on column core.events.user_agent is 'webshop_events, clickstream and access_log: the User-Agent header.';
comment on column core.events.ip is 'webshop_events, clickstream and access_log: the client IP address (access_log: the logged client address, up to 64 characters).';
comment on column core.events.browser_family is 'Browser family (webshop, clickstream, access_log: derived from user_agent; device: as sent).';
comment on column core.events.os_family is 'Operating system family (webshop, clickstream, access_log: derived from user_agent; device: as sent).';
comment on column core.events.load_id is 'The staging load (staging.loaded_files.load_id) that added the row; null for rows loaded before loads were numbered.';
comment on column core.events.device_family is 'Device family (webshop, clickstream, access_log: derived from user_agent; device: as sent).';

-- core.events: every source's rows in one shape. Each source's columns are mapped in its own model,
-- core.int_events_from_<source> (R__09, the only readers of the staging source tables; access_log's through its rules
-- model, core.int_access_log_requests, which leaves its bots out); this view is their union, by the one column list of
-- ModelVariables (core_events_columns).
-- The cascade drops the views built on this one; the runner re-applies every later repeatable after this one runs,
-- so they come back in the same migration.

drop view if exists core.events cascade;

create view core.events as
with

http_log as (
    select * from core.int_events_from_http_log
),

webshop_events as (
    select * from core.int_events_from_webshop_events
),

device_events as (
    select * from core.int_events_from_device_events
),

clickstream as (
    select * from core.int_events_from_clickstream
),

access_log as (
    select * from core.int_events_from_access_log
),

final as (
    select ${core_events_columns} from http_log
    union all
    select ${core_events_columns} from webshop_events
    union all
    select ${core_events_columns} from device_events
    union all
    select ${core_events_columns} from clickstream
    union all
    select ${core_events_columns} from access_log
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

-- core.int_events_from_access_log: the access_log requests that are not bots (core.int_access_log_requests, where its
-- rules live) as core.events' columns (ModelVariables: core_events_columns). core.events is the union of the
-- core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_access_log cascade;

create view core.int_events_from_access_log as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
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
from core.int_access_log_requests
-- bots stay in staging and in core.int_access_log_requests; sessions are people's
where not is_bot;

comment on view core.int_events_from_access_log is 'The access_log requests of people (core.int_access_log_requests, bots left out) as core.events rows.';

-- core.int_events_from_device_events: staging.device_events' rows as core.events' columns (ModelVariables:
-- core_events_columns). core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_device_events cascade;

create view core.int_events_from_device_events as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
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
from staging.device_events;

comment on view core.int_events_from_device_events is 'staging.device_events as core.events rows; user_id is the anonymous id, event_type the event''s name.';

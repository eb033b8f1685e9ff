-- core.int_events_from_webshop_events: staging.webshop_events' rows as core.events' columns (ModelVariables:
-- core_events_columns). core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_webshop_events cascade;

create view core.int_events_from_webshop_events as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
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
from staging.webshop_events;

comment on view core.int_events_from_webshop_events is 'staging.webshop_events as core.events rows; user_id is the customer, null for anonymous events.';

-- core.int_events_from_clickstream: staging.clickstream's rows as core.events' columns (ModelVariables:
-- core_events_columns). core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_clickstream cascade;

create view core.int_events_from_clickstream as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
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
from staging.clickstream;

comment on view core.int_events_from_clickstream is 'staging.clickstream as core.events rows: product_view when the row has a product, else page_view.';

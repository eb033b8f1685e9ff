-- REDSHIFT VARIANT of V0061__staging_load_ids.sql: the staging rows live in the *_avro COPY targets behind views
-- (V0001__staging_tables.redshift.sql), so the column goes on the table and each view is re-created with it at the end.
-- COPY ... FORMAT AS AVRO 'auto' leaves a column that is not in the Avro file null. NOT DONE YET: the Redshift load
-- plan (RedshiftCopy) must set it with UPDATE ... SET load_id = <the manifest's load_id> WHERE load_id IS NULL in the
-- COPY's transaction; until then incremental refresh on Redshift sees no new rows (refresh --full works).

alter table staging.http_log_avro add column load_id bigint;
alter table staging.webshop_events_avro add column load_id bigint;
alter table staging.device_events_avro add column load_id bigint;
alter table staging.clickstream_avro add column load_id bigint;

create or replace view staging.http_log as
select
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    method,
    path,
    user_id,
    source_file,
    source_line,
    load_id
from staging.http_log_avro;

create or replace view staging.webshop_events as
select
    event_id,
    event_type,
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    customer_id,
    user_agent,
    ip,
    browser_family,
    os_family,
    device_family,
    properties,
    source_file,
    source_line,
    load_id
from staging.webshop_events_avro;

create or replace view staging.device_events as
select
    anonymous_id,
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    name,
    browser_family,
    os_family,
    device_family,
    source_file,
    source_line,
    load_id
from staging.device_events_avro;

create or replace view staging.clickstream as
select
    user_id,
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    product_id,
    ip,
    user_agent,
    browser_family,
    os_family,
    device_family,
    source_file,
    source_line,
    load_id
from staging.clickstream_avro;

comment on column staging.http_log.load_id is 'The load (staging.loaded_files.load_id) that added the row.';
comment on column staging.webshop_events.load_id is 'The load (staging.loaded_files.load_id) that added the row.';
comment on column staging.device_events.load_id is 'The load (staging.loaded_files.load_id) that added the row.';
comment on column staging.clickstream.load_id is 'The load (staging.loaded_files.load_id) that added the row.';

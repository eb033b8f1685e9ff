-- Every staging row records the load it came in with (staging.loaded_files.load_id), so a refresh can take in only the
-- rows loaded since the previous one. Rows loaded before this migration keep null: the first refresh after it is a
-- full one anyway (nothing was materialised).

alter table staging.http_log add column load_id bigint;
alter table staging.webshop_events add column load_id bigint;
alter table staging.device_events add column load_id bigint;
alter table staging.clickstream add column load_id bigint;

comment on column staging.http_log.load_id is 'The load (staging.loaded_files.load_id) that added the row.';
comment on column staging.webshop_events.load_id is 'The load (staging.loaded_files.load_id) that added the row.';
comment on column staging.device_events.load_id is 'The load (staging.loaded_files.load_id) that added the row.';
comment on column staging.clickstream.load_id is 'The load (staging.loaded_files.load_id) that added the row.';

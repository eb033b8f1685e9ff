select count(*) from staging.loaded_files where file_hash = '<sha256>';
begin;
lock staging.loaded_files;
select count(*) from staging.loaded_files where file_hash = '<sha256>';
select coalesce(max(load_id), 0) + 1 from staging.loaded_files;
copy staging.http_log_avro from 's3://first-load/landing/http_log/<sha256>.avro'
    iam_role 'arn:aws:iam::123456789012:role/warehouse-copy'
    format as avro 'auto';
insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id)
    select 'http_log.avro', '<sha256>', 'http_log', pg_last_copy_count(), getdate(), 1;
update staging.http_log_avro set load_id = 1 where load_id is null;
select row_count from staging.loaded_files where file_hash = '<sha256>';
commit;

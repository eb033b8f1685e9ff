select count(*) from staging.loaded_files where file_hash = '<sha256>';
begin;
lock staging.loaded_files;
select count(*) from staging.loaded_files where file_hash = '<sha256>';
copy staging.http_log_avro from 's3://first-load/landing/http_log/<sha256>.avro'
    iam_role 'arn:aws:iam::123456789012:role/warehouse-copy'
    format as avro 'auto';
insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at)
    select 'http_log.avro', '<sha256>', 'http_log', pg_last_copy_count(), getdate();
select row_count from staging.loaded_files where file_hash = '<sha256>';
commit;

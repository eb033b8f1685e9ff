begin;
lock staging.loaded_files;
select count(*) from staging.loaded_files where file_hash = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
-- when the count is 0:
select coalesce(max(load_id), 0) + 1 from staging.loaded_files;
-- that number is <load_id> below
copy staging.http_log_avro from 's3://perx-warehouse/landing/http_log/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0.avro'
    iam_role 'arn:aws:iam::123456789012:role/warehouse-copy'
    format as avro 'auto';
insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at, load_id)
    select 'http_log.avro', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', 'http_log', pg_last_copy_count(), getdate(), <load_id>;
update staging.http_log_avro set load_id = <load_id> where load_id is null;
select row_count from staging.loaded_files where file_hash = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
commit;

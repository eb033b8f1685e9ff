begin;
lock staging.loaded_files;
select count(*) from staging.loaded_files where file_hash = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
-- when the count is 0:
copy staging.http_log_avro from 's3://perx-warehouse/landing/http_log/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0.avro'
    iam_role 'arn:aws:iam::123456789012:role/warehouse-copy'
    format as avro 'auto';
insert into staging.loaded_files (file_name, file_hash, source, row_count, loaded_at)
    select 'http_log.avro', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', 'http_log', pg_last_copy_count(), getdate();
select row_count from staging.loaded_files where file_hash = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
commit;

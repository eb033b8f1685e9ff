-- Remote inputs (HTTP(S) URLs, S3 objects) and reject counts.
--
-- A remote object is identified by where it lives plus its version (ETag, else Last-Modified and length, else the
-- SHA-256 of its bytes), not by the bytes of the Avro file made from it: the Avro sync marker is random, so a second
-- conversion of the same object would hash differently. For such a file staging.loaded_files keeps
-- file_name = the URL (query string dropped) or s3://bucket/key, file_hash = SHA-256 of "file_name LF object_version",
-- and the version itself below. Local files leave object_version null and keep their content hash.

alter table staging.loaded_files add column object_version varchar(1024);

comment on column staging.loaded_files.object_version is 'Remote inputs only: the object version the rows came from (ETag, Last-Modified and length, or sha256 of the bytes); null for local files.';

-- Rejected raw lines counted by reason, written in the same transaction as the file's rows, so `warehouse profile`
-- can report rejects from the database alone. Reasons are normalised (quoted values and numbers masked) so that
-- one kind of problem is one row.
create table staging.load_rejects (
    file_hash char(64) not null,
    source varchar(32) not null,
    file_name varchar(1024) not null,
    reason varchar(1024) not null,
    line_count bigint not null
);

comment on table staging.load_rejects is 'Rejected raw lines per loaded file and reason (reason text with values masked). Grain: one row per file_hash and reason.';
comment on column staging.load_rejects.file_hash is 'The loaded file''s file_hash in staging.loaded_files.';
comment on column staging.load_rejects.source is 'http_log, webshop_events, device_events or clickstream.';
comment on column staging.load_rejects.file_name is 'As in staging.loaded_files.file_name.';
comment on column staging.load_rejects.reason is 'Why the lines were rejected, with quoted values shown as "…" and numbers as N.';
comment on column staging.load_rejects.line_count is 'How many lines of the file were rejected for this reason.';

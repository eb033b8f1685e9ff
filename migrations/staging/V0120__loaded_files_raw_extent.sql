-- A raw log that grows under the same name (an access log being appended to) is loaded by its new lines only: the
-- manifest keeps how much of the raw file a load took in, so the next run can tell that the file now starts with
-- exactly that content and convert only what follows. Null for Avro files made elsewhere, remote objects and mappings.

alter table staging.loaded_files add column raw_bytes bigint;
alter table staging.loaded_files add column raw_lines bigint;

comment on column staging.loaded_files.raw_bytes is 'Bytes of the raw file this load took in (a plain local file converted by run); null otherwise.';
comment on column staging.loaded_files.raw_lines is 'Lines of the raw file this load took in, header and blank lines included; the next load of the grown file numbers its lines from here.';

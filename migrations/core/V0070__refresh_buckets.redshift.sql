-- REDSHIFT VARIANT of V0070__refresh_buckets.sql. Redshift spreads one statement over its slices itself (DISTKEY), so
-- a refresh there runs every bucket in one statement and one transaction: the tables stay plain (no partitions), every
-- row is in bucket 0 of one bucket, and the this_run tables are plain tables of the same shape.

alter table core.refresh_state add column bucket_count integer not null default 1;

comment on column core.refresh_state.bucket_count is 'How many user buckets the materialised rows were built in (always 1 on Redshift).';

-- narrow events, as in the plain file: core.sessionized_events joins the other columns back from staging
alter table core.fct_sessionized_events drop column method;
alter table core.fct_sessionized_events drop column path;
alter table core.fct_sessionized_events drop column event_id;
alter table core.fct_sessionized_events drop column properties;
alter table core.fct_sessionized_events drop column product_id;
alter table core.fct_sessionized_events drop column user_agent;
alter table core.fct_sessionized_events drop column ip;
alter table core.int_reopened_events drop column method;
alter table core.int_reopened_events drop column path;
alter table core.int_reopened_events drop column event_id;
alter table core.int_reopened_events drop column properties;
alter table core.int_reopened_events drop column product_id;
alter table core.int_reopened_events drop column user_agent;
alter table core.int_reopened_events drop column ip;

alter table core.fct_sessionized_events add column user_bucket smallint not null default 0;
alter table core.fct_sessions add column user_bucket smallint not null default 0;
alter table core.fct_http_sessions add column user_bucket smallint not null default 0;

comment on column core.fct_sessionized_events.user_bucket is 'The user''s bucket (always 0 on Redshift).';
comment on column core.fct_sessions.user_bucket is 'The user''s bucket (always 0 on Redshift).';
comment on column core.fct_http_sessions.user_bucket is 'The user''s bucket (always 0 on Redshift).';

create table core.fct_sessionized_events_this_run (like core.fct_sessionized_events);
create table core.fct_sessions_this_run (like core.fct_sessions);
create table core.fct_http_sessions_this_run (like core.fct_http_sessions);

comment on table core.fct_sessionized_events_this_run is 'Refresher scratch table, empty outside a refresh: the sessionized events the current refresh builds.';
comment on table core.fct_sessions_this_run is 'Refresher scratch table, empty outside a refresh: the sessions the current refresh builds.';
comment on table core.fct_http_sessions_this_run is 'Refresher scratch table, empty outside a refresh: the HTTP-log session summaries the current refresh builds.';

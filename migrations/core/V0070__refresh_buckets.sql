-- A full refresh runs per bucket of users, on several connections at once (issue 16). Sessions never span users, so
-- every per-user step splits by a stable hash of user_id with identical results; each bucket's sorts are smaller and
-- the machine's cores work side by side.
--
-- Where the work goes: three "this run" tables, one per materialised table, hold what the current refresh builds and
-- nothing else (the int_ views after sessionization read them, Snowplow's *_this_run pattern). A full refresh gives
-- each bucket its own partition of them (list partitions on user_bucket) and publishes by moving those partitions into
-- the live tables in one short transaction: readers see the previous refresh or the new one, never a mix and never an
-- empty table. An incremental refresh builds into the default partition and copies its few rows over, in one
-- transaction. The Redshift variant has plain tables: there one statement covers every bucket.
--
-- Narrow events: core.fct_sessionized_events keeps what the rules read (keys, event type, campaign and reward, families)
-- and the sessionization; the other columns of an event (method, path, properties, user agent...) are sorted by nobody
-- and stay in staging, where core.sessionized_events joins them back on the event's (source, load, file, line).
--
-- The rows already materialised are kept (as bucket 0 of one bucket); core.refresh_state.bucket_count records how
-- many buckets the live rows were built in, so an incremental refresh files new rows in the same ones.

alter table core.refresh_state add column bucket_count integer not null default 1;

comment on column core.refresh_state.bucket_count is 'How many user buckets the materialised rows were built in (user_bucket runs from 0 to bucket_count - 1); the same in every row.';

alter table core.fct_sessionized_events rename to fct_sessionized_events_before_v0070;
alter table core.fct_sessions rename to fct_sessions_before_v0070;
alter table core.fct_http_sessions rename to fct_http_sessions_before_v0070;

create table core.fct_sessionized_events (
    source varchar(32) not null,
    user_id varchar(256) not null,
    event_at timestamptz not null,
    event_type varchar(64),
    source_file varchar(1024) not null,
    source_line bigint not null,
    campaign_id varchar(256),
    reward_id varchar(256),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    user_event_number bigint not null,
    previous_event_at timestamptz,
    is_new_session boolean not null,
    session_number bigint not null,
    load_id bigint,
    refresh_id bigint not null,
    user_bucket smallint not null
) partition by list (user_bucket);

create table core.fct_sessions (
    like core.fct_sessions_before_v0070 including comments,
    user_bucket smallint not null
) partition by list (user_bucket);

create table core.fct_http_sessions (
    like core.fct_http_sessions_before_v0070 including comments,
    user_bucket smallint not null
) partition by list (user_bucket);

comment on table core.fct_sessionized_events is 'Materialised core.int_events_sessionized: one row per event that has a user, one partition per user bucket. Read it through core.sessionized_events.';
comment on table core.fct_sessions is 'Materialised core.int_sessions_aggregated: one row per session, one partition per user bucket. Read it through core.sessions.';
comment on table core.fct_http_sessions is 'Materialised core.int_http_sessions_summarized: per HTTP-log session, the campaign and reward lists and whether a campaign view drove a reward, one partition per user bucket. Grain: session_id.';
comment on column core.fct_sessionized_events.load_id is 'The staging load the event came in with; with source, source_file and source_line it finds the event''s staging row.';
comment on column core.fct_sessionized_events.refresh_id is 'The refresh that last (re)wrote the row.';
comment on column core.fct_sessionized_events.user_bucket is 'The user''s bucket: a hash of user_id modulo core.refresh_state.bucket_count. A full refresh builds each bucket on its own connection.';
comment on column core.fct_sessions.user_bucket is 'The user''s bucket (core.fct_sessionized_events.user_bucket).';
comment on column core.fct_http_sessions.user_bucket is 'The user''s bucket (core.fct_sessionized_events.user_bucket).';

-- The check constraint equals the partition bound, so a partition moved between these tables and the this_run tables
-- is attached without scanning its rows.
create table core.fct_sessionized_events_b0 partition of core.fct_sessionized_events (constraint bucket check (user_bucket = 0)) for values in (0);
create table core.fct_sessions_b0 partition of core.fct_sessions (constraint bucket check (user_bucket = 0)) for values in (0);
create table core.fct_http_sessions_b0 partition of core.fct_http_sessions (constraint bucket check (user_bucket = 0)) for values in (0);

insert into core.fct_sessionized_events
select
    source, user_id, event_at, event_type, source_file, source_line, campaign_id, reward_id, browser_family, os_family,
    device_family, user_event_number, previous_event_at, is_new_session, session_number, load_id, refresh_id, 0
from core.fct_sessionized_events_before_v0070;
insert into core.fct_sessions select *, 0 from core.fct_sessions_before_v0070;
insert into core.fct_http_sessions select *, 0 from core.fct_http_sessions_before_v0070;

-- the views over the old tables go with them; the repeatable scripts that run after this one re-create them
drop table core.fct_sessionized_events_before_v0070 cascade;
drop table core.fct_sessions_before_v0070 cascade;
drop table core.fct_http_sessions_before_v0070 cascade;

-- the refresher's scratch copy of reopened events carries the same narrow columns
alter table core.int_reopened_events drop column method;
alter table core.int_reopened_events drop column path;
alter table core.int_reopened_events drop column event_id;
alter table core.int_reopened_events drop column properties;
alter table core.int_reopened_events drop column product_id;
alter table core.int_reopened_events drop column user_agent;
alter table core.int_reopened_events drop column ip;

create table core.fct_sessionized_events_this_run (like core.fct_sessionized_events including comments) partition by list (user_bucket);
create table core.fct_sessions_this_run (like core.fct_sessions including comments) partition by list (user_bucket);
create table core.fct_http_sessions_this_run (like core.fct_http_sessions including comments) partition by list (user_bucket);

comment on table core.fct_sessionized_events_this_run is 'Refresher scratch table, empty outside a refresh: the sessionized events the current refresh builds (one partition per bucket in a full refresh).';
comment on table core.fct_sessions_this_run is 'Refresher scratch table, empty outside a refresh: the sessions the current refresh builds.';
comment on table core.fct_http_sessions_this_run is 'Refresher scratch table, empty outside a refresh: the HTTP-log session summaries the current refresh builds.';

-- an incremental refresh files its rows here; a full refresh adds a partition per bucket beside it
create table core.fct_sessionized_events_this_run_rest partition of core.fct_sessionized_events_this_run default;
create table core.fct_sessions_this_run_rest partition of core.fct_sessions_this_run default;
create table core.fct_http_sessions_this_run_rest partition of core.fct_http_sessions_this_run default;

-- target redshift, no database given: every script is shown as pending

-- V0001__staging_tables.redshift.sql (checksum <scrubbed>)
-- REDSHIFT VARIANT of V0001__staging_tables.sql (the runner runs this file instead of the plain one with
-- --target redshift). The columns, their order and the comments are the plain file's; three things differ, and why:
--
-- 1. Each Avro source lands in staging.<source>_avro, loaded by COPY ... FORMAT AS AVRO 'auto', which matches Avro
--    field names to column names. Avro timestamp-micros is a long, and Redshift has no TIMEFORMAT for epoch
--    microseconds (https://docs.aws.amazon.com/redshift/latest/dg/r_DATEFORMAT_and_TIMEFORMAT_strings.html knows
--    'epochsecs' and 'epochmillisecs' only), so event_at lands as BIGINT microseconds. A view staging.<source> with
--    the plain file's name and columns converts it, so core.events and everything above it stay one set of SQL.
-- 2. DISTKEY on the user column and SORTKEY(user, event_at): sessionization partitions by user and orders by time
--    (lag/sum over (partition by source, user_id order by event_at ...)), so with every user's rows on one slice and
--    already sorted, the window functions neither redistribute nor sort
--    (https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-best-dist-key.html,
--    https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-sort-key.html).
--    Webshop events key on customer_id (null for anonymous events: those rows share one slice, and are never sessionized).
-- 3. The small campaign/reward mapping is DISTSTYLE ALL: a copy on every node, joined locally to every session.
--
-- Staging: one table per source, columns exactly as the Avro records in models/*.avsc (same names, same order),
-- plus the mapping CSV and the load manifest. Only the loader writes here; only core.events reads the source tables.
--
-- No primary key on (source_file, source_line): source_file is the file name without directories, so two different
-- files that share a name (seeds/sample/http_log.txt and another http_log.txt) may both be loaded. A file's identity
-- is its content hash in staging.loaded_files, which is what makes loads idempotent.
-- Strings are varchar(n), never text: Redshift turns TEXT into VARCHAR(256) and would truncate paths and agents.

create schema if not exists staging;
create schema if not exists core;
create schema if not exists marts;

comment on schema staging is 'Raw rows as loaded from the Avro files, one table per source, plus the load manifest.';
comment on schema core is 'Cleaned events of every source in one shape, sessionized events and sessions.';
comment on schema marts is 'Reports for analysts and BI tools; the names and columns are a contract.';

create table staging.http_log_avro (
    event_at bigint not null,
    method varchar(16) not null,
    path varchar(4096) not null,
    user_id varchar(256) not null,
    source_file varchar(1024) not null,
    source_line bigint not null
)
distkey (user_id)
sortkey (user_id, event_at);

comment on table staging.http_log_avro is 'COPY target for http_log Avro files; event_at in epoch microseconds. Read it through the view staging.http_log.';

create view staging.http_log as
select
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    method,
    path,
    user_id,
    source_file,
    source_line
from staging.http_log_avro;

comment on view staging.http_log is 'HTTP access log requests (models/http_log.avsc), one row per loaded log line.';
comment on column staging.http_log.event_at is 'When the request was made, UTC.';
comment on column staging.http_log.method is 'HTTP method, e.g. GET or POST.';
comment on column staging.http_log.path is 'Request path as logged, e.g. /campaigns/12 or /rewards/1529.';
comment on column staging.http_log.user_id is 'The user who made the request, as written in the log.';
comment on column staging.http_log.source_file is 'Raw file name the row came from, without directories.';
comment on column staging.http_log.source_line is '1-based line number in the raw file.';

create table staging.webshop_events_avro (
    event_id bigint not null,
    event_type varchar(64) not null,
    event_at bigint not null,
    customer_id varchar(256),
    user_agent varchar(4096),
    ip varchar(64),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    properties varchar(65535),
    source_file varchar(1024) not null,
    source_line bigint not null
)
distkey (customer_id)
sortkey (customer_id, event_at);

comment on table staging.webshop_events_avro is 'COPY target for webshop_events Avro files; event_at in epoch microseconds. Read it through the view staging.webshop_events.';

create view staging.webshop_events as
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
    source_line
from staging.webshop_events_avro;

comment on view staging.webshop_events is 'Webshop events (models/webshop_events.avsc), one row per loaded JSON line.';
comment on column staging.webshop_events.event_id is 'The event''s JSON id.';
comment on column staging.webshop_events.event_type is 'The event''s JSON type: page_view, search, add_to_cart, placed_order or any other as written.';
comment on column staging.webshop_events.event_at is 'When the event happened, UTC (naive input timestamps are read as UTC).';
comment on column staging.webshop_events.customer_id is 'The customer-id token as written; null when JSON null or absent (such events are not sessionized).';
comment on column staging.webshop_events.user_agent is 'The browser''s User-Agent header, when present.';
comment on column staging.webshop_events.ip is 'Client IP address, when present.';
comment on column staging.webshop_events.browser_family is 'Browser family derived from user_agent by the converter''s rule table.';
comment on column staging.webshop_events.os_family is 'Operating system family derived from user_agent.';
comment on column staging.webshop_events.device_family is 'Device family derived from user_agent.';
comment on column staging.webshop_events.properties is 'Compact JSON object of the type-specific fields of the event (page, query, product, order, ...).';
comment on column staging.webshop_events.source_file is 'Raw file name the row came from, without directories.';
comment on column staging.webshop_events.source_line is '1-based line number in the raw file.';

create table staging.device_events_avro (
    anonymous_id varchar(256) not null,
    event_at bigint not null,
    name varchar(256),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    source_file varchar(1024) not null,
    source_line bigint not null
)
distkey (anonymous_id)
sortkey (anonymous_id, event_at);

comment on table staging.device_events_avro is 'COPY target for device_events Avro files; event_at in epoch microseconds. Read it through the view staging.device_events.';

create view staging.device_events as
select
    anonymous_id,
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    name,
    browser_family,
    os_family,
    device_family,
    source_file,
    source_line
from staging.device_events_avro;

comment on view staging.device_events is 'Device events (models/device_events.avsc), one row per loaded JSON line.';
comment on column staging.device_events.anonymous_id is 'The anonymous device user id.';
comment on column staging.device_events.event_at is 'device_sent_timestamp (epoch milliseconds) as a UTC timestamp.';
comment on column staging.device_events.name is 'Event name, e.g. screen_view; null when the line has none.';
comment on column staging.device_events.browser_family is 'Browser family as sent by the device.';
comment on column staging.device_events.os_family is 'Operating system family as sent by the device.';
comment on column staging.device_events.device_family is 'Device family as sent by the device.';
comment on column staging.device_events.source_file is 'Raw file name the row came from, without directories.';
comment on column staging.device_events.source_line is '1-based line number in the raw file.';

create table staging.clickstream_avro (
    user_id varchar(256) not null,
    event_at bigint not null,
    product_id varchar(256),
    ip varchar(64),
    user_agent varchar(4096),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    source_file varchar(1024) not null,
    source_line bigint not null
)
distkey (user_id)
sortkey (user_id, event_at);

comment on table staging.clickstream_avro is 'COPY target for clickstream Avro files; event_at in epoch microseconds. Read it through the view staging.clickstream.';

create view staging.clickstream as
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
    source_line
from staging.clickstream_avro;

comment on view staging.clickstream is 'Clickstream CSV rows (models/clickstream.avsc), one row per loaded data line.';
comment on column staging.clickstream.user_id is 'The CSV userId.';
comment on column staging.clickstream.event_at is 'original_timestamp (epoch seconds, maybe fractional) as a UTC timestamp.';
comment on column staging.clickstream.product_id is 'The CSV productId, when present.';
comment on column staging.clickstream.ip is 'Client IP address, when present.';
comment on column staging.clickstream.user_agent is 'The CSV userAgent, when present.';
comment on column staging.clickstream.browser_family is 'Browser family derived from user_agent by the converter''s rule table.';
comment on column staging.clickstream.os_family is 'Operating system family derived from user_agent.';
comment on column staging.clickstream.device_family is 'Device family derived from user_agent.';
comment on column staging.clickstream.source_file is 'Raw file name the row came from, without directories (the header is line 1).';
comment on column staging.clickstream.source_line is '1-based line number in the raw file.';

create table staging.campaign_reward_mapping (
    campaign_id varchar(256) not null,
    reward_id varchar(256) not null,
    primary key (campaign_id, reward_id)
)
diststyle all;

comment on table staging.campaign_reward_mapping is 'Which rewards each campaign contains (campaign_reward_mapping.csv), duplicate pairs removed.';
comment on column staging.campaign_reward_mapping.campaign_id is 'Campaign id as in GET /campaigns/{id}.';
comment on column staging.campaign_reward_mapping.reward_id is 'Reward id as in POST /rewards/{id}.';

create table staging.loaded_files (
    file_name varchar(1024) not null,
    file_hash char(64) primary key,
    source varchar(32) not null,
    row_count bigint not null,
    loaded_at timestamptz not null
);

comment on table staging.loaded_files is 'Load manifest: one row per loaded file, keyed by content hash so a file is never loaded twice.';
comment on column staging.loaded_files.file_name is 'File name as given to the loader, without directories.';
comment on column staging.loaded_files.file_hash is 'Lowercase hex SHA-256 of the file''s bytes.';
comment on column staging.loaded_files.source is 'Source the rows went to: http_log, webshop_events, device_events, clickstream or campaign_reward_mapping.';
comment on column staging.loaded_files.row_count is 'Rows the file added.';
comment on column staging.loaded_files.loaded_at is 'When the load committed, UTC.';

-- V0002__session_gap_settings.sql (checksum <scrubbed>)
-- Session thresholds live in a table so they can change without editing SQL: the runner rewrites a row from
-- `--session-gap SOURCE=SECONDS`, and core.sessionized_events reads it on every query. No CHECK constraints (Redshift
-- has none): the runner validates the source name and that the seconds are positive.

create table core.session_gap_settings (
    source varchar(32) primary key,
    gap_seconds integer not null
);

comment on table core.session_gap_settings is 'Per source: a gap of at least gap_seconds between a user''s consecutive events starts a new session.';
comment on column core.session_gap_settings.source is 'http_log, webshop_events, device_events or clickstream.';
comment on column core.session_gap_settings.gap_seconds is 'Session threshold in seconds; a gap of exactly this long starts a new session.';

insert into core.session_gap_settings (source, gap_seconds) values ('http_log', 300);
insert into core.session_gap_settings (source, gap_seconds) values ('webshop_events', 1800);
insert into core.session_gap_settings (source, gap_seconds) values ('device_events', 1800);
insert into core.session_gap_settings (source, gap_seconds) values ('clickstream', 1800);

-- V0050__remote_inputs.sql (checksum <scrubbed>)
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

-- V0060__incremental_refresh.sql (checksum <scrubbed>)
-- Materialised sessions and the bookkeeping of incremental refreshes (issue 7).
--
-- The sessionization logic stays in views (core.int_events_sessionized and the int_ views after it); the refresher
-- writes their rows into the fct_ tables below, and the contract names (core.sessionized_events, core.sessions,
-- marts.*) are views over these tables. A refresh rewrites only what new loads can change and runs in one transaction,
-- so a reader sees the marts of the previous refresh or of this one, never a mix.
--
-- Which staging rows are new: every load gets a load_id (staging.loaded_files.load_id, V0061 adds it to the staging
-- rows); core.refresh_state keeps, per source, the last load_id a refresh has taken in.

alter table staging.loaded_files add column load_id bigint;

comment on column staging.loaded_files.load_id is 'Number of the load, increasing in commit order (loads are serialised by the manifest lock); null for loads made before incremental refresh existed.';

create table core.refresh_state (
    source varchar(32) primary key,
    loaded_through_load_id bigint not null,
    session_gap_seconds integer not null,
    refresh_id bigint not null,
    refreshed_at timestamptz
);

comment on table core.refresh_state is 'Per source: what the materialised sessions were built from. Written only by the refresher, in the refresh''s transaction.';
comment on column core.refresh_state.source is 'http_log, webshop_events, device_events or clickstream.';
comment on column core.refresh_state.loaded_through_load_id is 'Staging rows with a load_id up to this one are in the fct_ tables; -1 when nothing of the source is materialised (rows without a load_id count as load 0).';
comment on column core.refresh_state.session_gap_seconds is 'The threshold the source''s sessions were built with; a different core.session_gap_settings value forces a rebuild of the source.';
comment on column core.refresh_state.refresh_id is 'Number of the last refresh (the same in every row); fct_ rows written by it carry it.';
comment on column core.refresh_state.refreshed_at is 'When the last refresh ran, UTC; null before the first.';

insert into core.refresh_state (source, loaded_through_load_id, session_gap_seconds, refresh_id, refreshed_at)
select source, -1, gap_seconds, 0, null
from core.session_gap_settings;

create table core.fct_sessionized_events (
    source varchar(32) not null,
    user_id varchar(256) not null,
    event_at timestamptz not null,
    event_type varchar(64),
    source_file varchar(1024) not null,
    source_line bigint not null,
    method varchar(16),
    path varchar(4096),
    campaign_id varchar(256),
    reward_id varchar(256),
    event_id bigint,
    properties varchar(65535),
    product_id varchar(256),
    user_agent varchar(4096),
    ip varchar(64),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    session_gap_seconds integer not null,
    user_event_number bigint not null,
    previous_event_at timestamptz,
    seconds_since_previous_event decimal(18, 6),
    is_new_session boolean not null,
    session_number bigint not null,
    session_id varchar(320) not null,
    load_id bigint,
    refresh_id bigint not null
);

comment on table core.fct_sessionized_events is 'Materialised core.int_events_sessionized: one row per event that has a user. Read it through core.sessionized_events.';
comment on column core.fct_sessionized_events.load_id is 'The staging load the event came in with.';
comment on column core.fct_sessionized_events.refresh_id is 'The refresh that last (re)wrote the row; the int_ views after sessionization read the rows of the current refresh.';

create table core.fct_sessions (
    source varchar(32) not null,
    user_id varchar(256) not null,
    session_id varchar(320) not null,
    session_number bigint not null,
    session_start timestamptz not null,
    session_end timestamptz not null,
    event_count bigint not null,
    duration_seconds decimal(18, 6) not null,
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    has_placed_order boolean not null,
    refresh_id bigint not null
);

comment on table core.fct_sessions is 'Materialised core.int_sessions_aggregated: one row per session. Read it through core.sessions.';
comment on column core.fct_sessions.has_placed_order is 'webshop_events: the session has a placed_order event (an order session); false for other sources.';
comment on column core.fct_sessions.refresh_id is 'The refresh that wrote the row.';

-- The refresher's scratch space: events of users whose sessions are being rebuilt, taken back out of
-- core.fct_sessionized_events, plus one context row per user (the last event before the rebuilt part), which carries
-- the numbers to continue from. Filled and emptied inside the refresh transaction, so other sessions always see it empty.
create table core.int_reopened_events (
    source varchar(32) not null,
    user_id varchar(256) not null,
    event_at timestamptz not null,
    event_type varchar(64),
    source_file varchar(1024) not null,
    source_line bigint not null,
    method varchar(16),
    path varchar(4096),
    campaign_id varchar(256),
    reward_id varchar(256),
    event_id bigint,
    properties varchar(65535),
    product_id varchar(256),
    user_agent varchar(4096),
    ip varchar(64),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    load_id bigint,
    is_context boolean not null,
    carried_session_number bigint,
    carried_user_event_number bigint
);

comment on table core.int_reopened_events is 'Refresher scratch table, empty outside a refresh: materialised events being re-sessionized, and per user one context row (is_context) carrying the session and event numbers to continue from.';

create table staging.replay_positions (
    file_hash char(64) primary key,
    file_name varchar(1024) not null,
    lines_done bigint not null,
    events_loaded bigint not null,
    updated_at timestamptz not null
);

comment on table staging.replay_positions is 'warehouse replay: how far each raw file (by content hash) has been fed, updated in the transaction that loads each micro-batch, so a restart continues without loading an event twice.';
comment on column staging.replay_positions.file_hash is 'Lowercase hex SHA-256 of the raw file.';
comment on column staging.replay_positions.file_name is 'Raw file name, without directories.';
comment on column staging.replay_positions.lines_done is 'Lines of the file (header included) already loaded.';
comment on column staging.replay_positions.events_loaded is 'Records loaded from the file so far.';
comment on column staging.replay_positions.updated_at is 'When the last micro-batch committed, UTC.';

-- V0061__staging_load_ids.redshift.sql (checksum <scrubbed>)
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

-- V0062__http_sessions_table.redshift.sql (checksum <scrubbed>)
-- core.fct_http_sessions, REDSHIFT VARIANT of V0062__http_sessions_table.sql: Redshift has no arrays, so the lists are
-- comma-separated VARCHAR, as core.int_http_sessions_summarized builds them with LISTAGG (R__33 variant). Everything
-- else is the plain file verbatim.

create table core.fct_http_sessions (
    session_id varchar(320) not null,
    user_id varchar(256) not null,
    session_number bigint not null,
    campaigns varchar(65535) not null,
    rewards_issued varchar(65535) not null,
    reward_driven_by_campaign_view boolean not null,
    refresh_id bigint not null
);

comment on table core.fct_http_sessions is 'Materialised core.int_http_sessions_summarized: per HTTP-log session, the campaign and reward lists and whether a campaign view drove a reward. Grain: session_id.';
comment on column core.fct_http_sessions.session_id is 'The session (core.sessions.session_id).';
comment on column core.fct_http_sessions.user_id is 'The user of the session.';
comment on column core.fct_http_sessions.session_number is 'The session''s number among the user''s HTTP-log sessions.';
comment on column core.fct_http_sessions.campaigns is 'Distinct campaign ids viewed, in order of first view, comma-separated; empty string when none.';
comment on column core.fct_http_sessions.rewards_issued is 'Distinct reward ids issued, in order of first issue, comma-separated; empty string when none.';
comment on column core.fct_http_sessions.reward_driven_by_campaign_view is 'True when some reward issued in the session belongs to a campaign viewed in the same session at or before the issue.';
comment on column core.fct_http_sessions.refresh_id is 'The refresh that wrote the row.';

-- V0063__derive_on_read.sql (checksum <scrubbed>)
-- core.fct_sessionized_events stores one row per event, 5 million rows at the benchmark's scale, so every stored byte is
-- written once per refresh and read by each step after it. Three of its columns are functions of the others, cheap to
-- compute where they are read and costly to write:
--   session_id                    source:user_id:session_number (core.sessionized_events builds it on read;
--                                 core.int_sessions_aggregated once per session instead of once per event);
--   seconds_since_previous_event  event_at - previous_event_at in seconds;
--   session_gap_seconds           the source's threshold, which core.refresh_state already records per source.
-- Measured at 5 million events, one pair of runs: the sessionize statement 31.4 s -> 29.0 s. core.sessionized_events
-- keeps its columns.
-- The views built on these columns are dropped with them and recreated by the repeatable scripts that run after.

alter table core.fct_sessionized_events drop column session_id cascade;
alter table core.fct_sessionized_events drop column seconds_since_previous_event cascade;
alter table core.fct_sessionized_events drop column session_gap_seconds cascade;

-- V0064__http_sessions_times.sql (checksum <scrubbed>)
-- core.fct_http_sessions also keeps its session's start and end, so marts.campaign_performance reads one table instead
-- of joining 1.9 million summaries to 1.9 million sessions on the text session_id at every read (5 million events:
-- about 2 s a read). The refresher writes both with the summary, which already reads the sessions. Rows written before
-- this migration get them from core.fct_sessions here; a session and its summary are always rewritten together.

alter table core.fct_http_sessions add column session_start timestamptz;
alter table core.fct_http_sessions add column session_end timestamptz;

comment on column core.fct_http_sessions.session_start is 'Time of the session''s first event, UTC (core.sessions.session_start).';
comment on column core.fct_http_sessions.session_end is 'Time of the session''s last event, UTC (core.sessions.session_end).';

update core.fct_http_sessions
set
    session_start = fct_sessions.session_start,
    session_end = fct_sessions.session_end
from core.fct_sessions
where fct_sessions.session_id = fct_http_sessions.session_id;

-- V0070__refresh_buckets.redshift.sql (checksum <scrubbed>)
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

-- V0100__api_reader_role.redshift.sql (checksum <scrubbed>)
-- Redshift variant of the API's read-only login: Redshift has users rather than login roles and no DO blocks, so the
-- create-if-missing runs in a throwaway procedure. Users belong to the cluster and grants to one database, as in
-- PostgreSQL. PASSWORD DISABLE: the runner sets one from WAREHOUSE_API_PASSWORD (never written here).

create or replace procedure warehouse.create_api_user()
as $$
begin
    if not exists (select 1 from pg_user where usename = 'warehouse_api') then
        execute 'create user warehouse_api password disable';
    end if;
end;
$$ language plpgsql;

call warehouse.create_api_user();

drop procedure warehouse.create_api_user();

create schema if not exists marts;

grant usage on schema marts to warehouse_api;
grant select on all tables in schema marts to warehouse_api;
-- marts are views re-created by repeatable scripts: every future one is readable too
alter default privileges in schema marts grant select on tables to warehouse_api;

-- GET /health compares this history with the scripts on disk; the history is metadata, not warehouse data.
grant usage on schema warehouse to warehouse_api;
grant select on warehouse.schema_history to warehouse_api;

-- V0110__api_role_least_privilege.redshift.sql (checksum <scrubbed>)
-- Redshift variant of the API role's least privilege (see the .sql): Redshift has no CONNECT privilege (a user may
-- connect to any database of the cluster) and no large objects, so only TEMPORARY applies. PUBLIC loses it on this
-- database and the migrating user, whose loads and refreshes create temporary tables, gets it by name. Without DO
-- blocks the dynamic statements run in a throwaway procedure, as in V0100.

create or replace procedure warehouse.restrict_api_user()
as $$
begin
    execute 'revoke temporary on database ' || quote_ident(current_database()) || ' from public';
    execute 'grant temporary on database ' || quote_ident(current_database()) || ' to ' || quote_ident(current_user);
end;
$$ language plpgsql;

call warehouse.restrict_api_user();

drop procedure warehouse.restrict_api_user();

-- V0120__loaded_files_raw_extent.sql (checksum <scrubbed>)
-- A raw log that grows under the same name (an access log being appended to) is loaded by its new lines only: the
-- manifest keeps how much of the raw file a load took in, so the next run can tell that the file now starts with
-- exactly that content and convert only what follows. Null for Avro files made elsewhere, remote objects and mappings.

alter table staging.loaded_files add column raw_bytes bigint;
alter table staging.loaded_files add column raw_lines bigint;

comment on column staging.loaded_files.raw_bytes is 'Bytes of the raw file this load took in (a plain local file converted by run); null otherwise.';
comment on column staging.loaded_files.raw_lines is 'Lines of the raw file this load took in, header and blank lines included; the next load of the grown file numbers its lines from here.';

-- V0130__access_log_staging.redshift.sql (checksum <scrubbed>)
-- REDSHIFT VARIANT of V0130__access_log_staging.sql: as for every source (V0001__staging_tables.redshift.sql), the rows
-- live in a COPY target holding event_at as epoch microseconds, read through a view of the same shape as PostgreSQL's
-- table. Spread and sorted by client address, the closest raw column to the visitor key the sessions are built on.

create table staging.access_log_avro (
    client_address varchar(256) not null,
    ident varchar(256),
    auth_user varchar(256),
    event_at bigint not null,
    utc_offset_minutes bigint not null,
    request varchar(8192) not null,
    method varchar(16),
    path varchar(4096),
    query_string varchar(4096),
    protocol varchar(16),
    status bigint not null,
    response_bytes bigint,
    referrer varchar(4096),
    user_agent varchar(4096),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    source_file varchar(1024) not null,
    source_line bigint not null,
    load_id bigint
)
distkey (client_address)
sortkey (client_address, event_at);

comment on table staging.access_log_avro is 'COPY target for access_log Avro files; event_at in epoch microseconds. Read it through the view staging.access_log.';

create view staging.access_log as
select
    client_address,
    ident,
    auth_user,
    timestamp 'epoch' + (event_at / 1000000) * interval '1 second' + (event_at % 1000000) * interval '1 microsecond' as event_at,
    utc_offset_minutes,
    request,
    method,
    path,
    query_string,
    protocol,
    status,
    response_bytes,
    referrer,
    user_agent,
    browser_family,
    os_family,
    device_family,
    source_file,
    source_line,
    load_id
from staging.access_log_avro;

comment on view staging.access_log is 'Apache/nginx access log requests (models/access_log.avsc, formats combined and common), one row per loaded log line; bots included.';
comment on column staging.access_log.client_address is 'The client address as logged: IPv4, IPv6 or a host name.';
comment on column staging.access_log.ident is 'RFC 1413 identity; null when the log has ''-''.';
comment on column staging.access_log.auth_user is 'The authenticated user; null when the log has ''-''.';
comment on column staging.access_log.event_at is 'When the request was received, UTC (the logged offset applied).';
comment on column staging.access_log.utc_offset_minutes is 'The offset the timestamp was logged with, minutes east of UTC.';
comment on column staging.access_log.request is 'The request line as logged, escapes undone.';
comment on column staging.access_log.method is 'Request method; null when the request line is not METHOD target PROTOCOL.';
comment on column staging.access_log.path is 'Request target without its query string; null when the request line is not METHOD target PROTOCOL.';
comment on column staging.access_log.query_string is 'What follows the first ? of the target; null when none.';
comment on column staging.access_log.protocol is 'Protocol of the request line, e.g. HTTP/1.1.';
comment on column staging.access_log.status is 'Response status.';
comment on column staging.access_log.response_bytes is 'Response body bytes; null when the log has ''-''.';
comment on column staging.access_log.referrer is 'Referer header; null when ''-'' or in the common format.';
comment on column staging.access_log.user_agent is 'User-Agent header; null when ''-'' or in the common format.';
comment on column staging.access_log.browser_family is 'Browser family from the user agent (rule table of the converter).';
comment on column staging.access_log.os_family is 'Operating system family from the user agent.';
comment on column staging.access_log.device_family is 'Device family from the user agent.';
comment on column staging.access_log.source_file is 'Raw file name the row came from, without directories.';
comment on column staging.access_log.source_line is '1-based line number in the raw file.';
comment on column staging.access_log.load_id is 'The load (staging.loaded_files.load_id) that added the row.';

-- Sessions of web visitors: 30 minutes, the usual rule of web analytics tools.
insert into core.session_gap_settings (source, gap_seconds) values ('access_log', 1800);

-- Nothing of it is materialised yet (-1): the next refresh is a full one.
insert into core.refresh_state (source, loaded_through_load_id, session_gap_seconds, refresh_id, refreshed_at, bucket_count)
select 'access_log', -1, 1800, coalesce(max(refresh_id), 0), null, coalesce(max(bucket_count), 1)
from core.refresh_state;

-- V0131__access_log_rules.sql (checksum <scrubbed>)
-- Rule tables of the access_log source (issue 18), read by core.int_access_log_requests: which user agents are bots,
-- which paths are static assets, which referrer hosts are search engines or social networks. Plain tables and inserts
-- so the same script runs on Redshift; a new rule is a row, not an edit of a model. No CHECK constraints (Redshift has
-- none): the kinds and channels are the few values the comments name.

create table core.bot_agent_patterns (
    agent_pattern varchar(64) primary key,
    bot_family varchar(64) not null,
    bot_kind varchar(16) not null,
    priority integer not null
);

comment on table core.bot_agent_patterns is 'Bot user agents: a request is a bot''s when its lower-cased User-Agent contains agent_pattern. Grain: agent_pattern.';
comment on column core.bot_agent_patterns.agent_pattern is 'Lower-case substring of the User-Agent, matched with LIKE ''%pattern%''.';
comment on column core.bot_agent_patterns.bot_family is 'The bot''s name as reported, e.g. Googlebot, or Other bot for the generic patterns.';
comment on column core.bot_agent_patterns.bot_kind is 'crawler (indexes or scans the site) or tool (an HTTP client used by a script).';
comment on column core.bot_agent_patterns.priority is 'When several patterns match, the lowest priority names the family: named bots (1) before generic words (2).';

-- the named crawlers also contain "bot" or "spider": priority 1 gives them their own name
insert into core.bot_agent_patterns (agent_pattern, bot_family, bot_kind, priority) values
    ('googlebot', 'Googlebot', 'crawler', 1),
    ('bingbot', 'bingbot', 'crawler', 1),
    ('baiduspider', 'Baiduspider', 'crawler', 1),
    ('yandexbot', 'YandexBot', 'crawler', 1),
    ('ahrefsbot', 'AhrefsBot', 'crawler', 1),
    ('semrushbot', 'SemrushBot', 'crawler', 1),
    ('duckduckbot', 'DuckDuckBot', 'crawler', 1),
    ('applebot', 'Applebot', 'crawler', 1),
    ('mj12bot', 'MJ12bot', 'crawler', 1),
    ('dotbot', 'DotBot', 'crawler', 1),
    ('petalbot', 'PetalBot', 'crawler', 1),
    ('facebookexternalhit', 'facebookexternalhit', 'crawler', 1),
    ('bingpreview', 'BingPreview', 'crawler', 1),
    ('feedfetcher-google', 'FeedFetcher-Google', 'crawler', 1),
    ('curl/', 'curl', 'tool', 1),
    ('wget/', 'Wget', 'tool', 1),
    ('python-requests', 'python-requests', 'tool', 1),
    ('python-urllib', 'Python-urllib', 'tool', 1),
    ('go-http-client', 'Go-http-client', 'tool', 1),
    ('libwww-perl', 'libwww-perl', 'tool', 1),
    ('bot', 'Other bot', 'crawler', 2),
    ('crawl', 'Other bot', 'crawler', 2),
    ('spider', 'Other bot', 'crawler', 2),
    ('slurp', 'Other bot', 'crawler', 2),
    -- the converter's generic bot words too (UserAgentFamilies), so a request whose device it calls Spider is a bot here:
    -- feed readers and link checkers fetch pages without a person behind them
    ('feed', 'Other bot', 'crawler', 2),
    ('rss', 'Other bot', 'crawler', 2),
    ('fetch', 'Other bot', 'crawler', 2),
    ('scrape', 'Other bot', 'crawler', 2),
    ('archiver', 'Other bot', 'crawler', 2),
    ('validator', 'Other bot', 'crawler', 2),
    ('link sleuth', 'Other bot', 'crawler', 2);

create table core.asset_extensions (
    extension varchar(16) primary key,
    asset_type varchar(16) not null
);

comment on table core.asset_extensions is 'Static assets: a request whose path ends in .extension is activity for its session but not a page view. Grain: extension.';
comment on column core.asset_extensions.extension is 'Lower-case file extension without the dot, compared with the path''s last segment after its last dot.';
comment on column core.asset_extensions.asset_type is 'image, style, script, font, data or other.';

insert into core.asset_extensions (extension, asset_type) values
    ('png', 'image'),
    ('jpg', 'image'),
    ('jpeg', 'image'),
    ('gif', 'image'),
    ('svg', 'image'),
    ('webp', 'image'),
    ('avif', 'image'),
    ('bmp', 'image'),
    ('ico', 'image'),
    ('css', 'style'),
    ('js', 'script'),
    ('mjs', 'script'),
    ('map', 'script'),
    ('woff', 'font'),
    ('woff2', 'font'),
    ('ttf', 'font'),
    ('otf', 'font'),
    ('eot', 'font'),
    ('json', 'data'),
    ('xml', 'data'),
    ('txt', 'other');

create table core.referrer_host_patterns (
    host_pattern varchar(64) primary key,
    referrer_name varchar(64) not null,
    channel varchar(16) not null
);

comment on table core.referrer_host_patterns is 'Known search engines and social networks by referrer host. Grain: host_pattern.';
comment on column core.referrer_host_patterns.host_pattern is 'LIKE pattern matched against ''.'' || host (lower case), so ''%.google.%'' matches google.com and www.google.co.uk but not notgoogle.com.';
comment on column core.referrer_host_patterns.referrer_name is 'The engine or network, e.g. Google.';
comment on column core.referrer_host_patterns.channel is 'search or social.';

insert into core.referrer_host_patterns (host_pattern, referrer_name, channel) values
    ('%.google.%', 'Google', 'search'),
    ('%.bing.com', 'Bing', 'search'),
    ('%.search.yahoo.com', 'Yahoo', 'search'),
    ('%.duckduckgo.com', 'DuckDuckGo', 'search'),
    ('%.baidu.com', 'Baidu', 'search'),
    ('%.yandex.%', 'Yandex', 'search'),
    ('%.ecosia.org', 'Ecosia', 'search'),
    ('%.ask.com', 'Ask', 'search'),
    ('%.naver.com', 'Naver', 'search'),
    ('%.seznam.cz', 'Seznam', 'search'),
    ('%.facebook.com', 'Facebook', 'social'),
    ('%.twitter.com', 'Twitter', 'social'),
    ('%.t.co', 'Twitter', 'social'),
    ('%.x.com', 'Twitter', 'social'),
    ('%.linkedin.com', 'LinkedIn', 'social'),
    ('%.lnkd.in', 'LinkedIn', 'social'),
    ('%.reddit.com', 'Reddit', 'social'),
    ('%.instagram.com', 'Instagram', 'social'),
    ('%.pinterest.com', 'Pinterest', 'social'),
    ('%.youtube.com', 'YouTube', 'social'),
    ('%.tiktok.com', 'TikTok', 'social'),
    ('%.news.ycombinator.com', 'Hacker News', 'social'),
    ('%.vk.com', 'VK', 'social');

-- V0140__read_only_login.sql (checksum <scrubbed>)
-- The read-only login of analysts and BI tools is the API's role, warehouse_api (V0100): besides the marts it reads the
-- documented core views (core.events, core.sessionized_events, core.sessions; each repeatable grants its own view when
-- it re-creates it), never the fct_/int_ tables behind them nor staging. `./warehouse db url --read-only` prints its URL.

grant usage on schema core to warehouse_api;

-- V0150__daily_session_marts.redshift.sql (checksum <scrubbed>)
-- REDSHIFT VARIANT of V0150__daily_session_marts.sql: plain tables, since a refresh there is one transaction that
-- deletes and rewrites the rows (no partition to swap).

create table core.fct_daily_sessions (
    source varchar(32) not null,
    session_date date not null,
    sessions bigint not null,
    users bigint not null,
    events bigint not null,
    median_duration_seconds decimal(18, 6)
);

create table core.fct_daily_sessions_by_key (
    session_date date not null,
    source varchar(32) not null,
    group_key varchar(32) not null,
    group_value varchar(256),
    sessions bigint not null,
    users bigint not null,
    events bigint not null,
    median_duration_seconds decimal(18, 6)
);

comment on table core.fct_daily_sessions is 'Materialised core.int_daily_sessions: per source and UTC day of session start. Read it through marts.daily_sessions.';
comment on table core.fct_daily_sessions_by_key is 'Materialised core.int_daily_sessions_by_key: per UTC day, source and family value. Read it through marts.daily_sessions_by_key.';

-- the tables start empty: the next refresh is a full one and fills them
update core.refresh_state set loaded_through_load_id = -1;

-- V0151__campaign_marts.redshift.sql (checksum <scrubbed>)
-- REDSHIFT VARIANT of V0151__campaign_marts.sql: plain tables, since a refresh there is one transaction that deletes
-- and rewrites the rows (no partition to swap), and no indexes (Redshift has none): both are distributed by user, as
-- the refresh rewrites a user's rows, and sorted on campaign_id, what a typical read filters on.

create table core.fct_campaign_reward_attribution (
    user_id varchar(256) not null,
    session_number bigint not null,
    reward_id varchar(256),
    issued_at timestamptz not null,
    campaign_id varchar(256),
    campaign_viewed_at timestamptz,
    claiming_campaigns bigint not null,
    user_event_number bigint not null,
    refresh_id bigint not null,
    user_bucket smallint not null
)
distkey (user_id)
sortkey (campaign_id, issued_at);

create table core.fct_campaign_session_views (
    user_id varchar(256) not null,
    session_number bigint not null,
    campaign_id varchar(256),
    view_date date not null,
    views bigint not null,
    rewards_issued bigint not null,
    refresh_id bigint not null,
    user_bucket smallint not null
)
distkey (user_id)
sortkey (campaign_id, view_date);

comment on table core.fct_campaign_reward_attribution is 'Materialised core.int_campaign_rewards_attributed: one row per reward issued in an HTTP-log session, with the campaign that drove it. Read it through marts.campaign_reward_attribution. Grain: user_id, user_event_number.';
comment on column core.fct_campaign_reward_attribution.session_number is 'The session''s number among the user''s HTTP-log sessions (the mart derives session_id from it).';
comment on column core.fct_campaign_reward_attribution.refresh_id is 'The refresh that wrote the row.';
comment on column core.fct_campaign_reward_attribution.user_bucket is 'The user''s bucket (always 0 on Redshift).';
comment on table core.fct_campaign_session_views is 'Materialised core.int_campaign_views_summarized: per HTTP-log session, campaign viewed and UTC day of the views, the views and the rewards issued in the session. marts.campaign_daily sums it. Grain: user_id, session_number, campaign_id, view_date.';
comment on column core.fct_campaign_session_views.view_date is 'UTC date of the views.';
comment on column core.fct_campaign_session_views.views is 'Views of the campaign in the session that day.';
comment on column core.fct_campaign_session_views.rewards_issued is 'Rewards issued (any reward) in the whole session.';
comment on column core.fct_campaign_session_views.refresh_id is 'The refresh that wrote the row.';
comment on column core.fct_campaign_session_views.user_bucket is 'The user''s bucket (always 0 on Redshift).';

create table core.fct_campaign_reward_attribution_this_run (like core.fct_campaign_reward_attribution);
create table core.fct_campaign_session_views_this_run (like core.fct_campaign_session_views);

comment on table core.fct_campaign_reward_attribution_this_run is 'Refresher scratch table, empty outside a refresh: the reward attributions the current refresh builds.';
comment on table core.fct_campaign_session_views_this_run is 'Refresher scratch table, empty outside a refresh: the per-session campaign views the current refresh builds.';

-- the tables start empty: the next refresh is a full one and fills them
update core.refresh_state set loaded_through_load_id = -1;

-- R__07_core_int_access_log_requests_parsed.sql (checksum <scrubbed>)
-- core.int_access_log_requests_parsed: each access_log request (staging.access_log, bots included) with the parts the
-- rules of core.int_access_log_requests read, worked out of the logged fields. Kept apart so that model can read it
-- several times (robots.txt visitors, referrer hosts, user agents) and PostgreSQL inlines each read.
--
-- THE VISITOR RULE: the user of a request is the authenticated user where the log has one, else a visitor key derived
-- from client address and user agent ('v:' || md5(client_address || '|' || user_agent)), the usual rule of log
-- analysers (AWStats, GoAccess, Matomo's log importer): a log has no cookie, and one browser on one address is the
-- closest it gets to one person. md5 keeps the key short and is the same function on Redshift.
-- Parsing uses split_part and reverse only (no regular expressions): the same on both targets.

drop view if exists core.int_access_log_requests_parsed cascade;

create view core.int_access_log_requests_parsed as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and the rules model
-- filters and joins on these columns.
select
    access_log.client_address,
    access_log.auth_user,
    access_log.event_at,
    access_log.method,
    access_log.path,
    access_log.query_string,
    access_log.status,
    access_log.referrer,
    access_log.user_agent,
    access_log.browser_family,
    access_log.os_family,
    access_log.device_family,
    access_log.source_file,
    access_log.source_line,
    access_log.load_id,
    cast(
        coalesce(access_log.auth_user, 'v:' || md5(access_log.client_address || '|' || coalesce(access_log.user_agent, '')))
        as varchar(256)
    ) as user_id,
    cast(lower(access_log.user_agent) as varchar(4096)) as user_agent_lower,
    -- whoever asks for /robots.txt is reading the rules for robots: a crawler, whatever agent it claims
    case when lower(access_log.path) = '/robots.txt' then true else false end as is_robots_fetch,
    -- the extension: what follows the path's last dot, when that dot is in the last segment (/v1.2/list has none)
    cast(
        case
            when strpos(split_part(reverse(access_log.path), '/', 1), '.') > 0
                then lower(reverse(split_part(reverse(access_log.path), '.', 1)))
        end
        as varchar(4096)
    ) as path_extension,
    -- the referrer's host: between :// and the next /, without a port, lower case; null without a referrer or a host
    cast(
        nullif(lower(split_part(split_part(split_part(access_log.referrer, '://', 2), '/', 1), ':', 1)), '')
        as varchar(4096)
    ) as referrer_host,
    -- UTM parameters of the query string, as logged (not URL-decoded); null when absent or empty. The delimiters around
    -- the string make a parameter at its start or end look like one in the middle.
    cast(nullif(split_part(split_part('&' || coalesce(access_log.query_string, '') || '&', '&utm_source=', 2), '&', 1), '') as varchar(4096)) as utm_source,
    cast(nullif(split_part(split_part('&' || coalesce(access_log.query_string, '') || '&', '&utm_medium=', 2), '&', 1), '') as varchar(4096)) as utm_medium,
    cast(nullif(split_part(split_part('&' || coalesce(access_log.query_string, '') || '&', '&utm_campaign=', 2), '&', 1), '') as varchar(4096)) as utm_campaign
from staging.access_log as access_log;

comment on view core.int_access_log_requests_parsed is 'Each access_log request (bots included) with its visitor key, referrer host, path extension and UTM fields; read by core.int_access_log_requests. Grain: load_id, source_file, source_line.';
comment on column core.int_access_log_requests_parsed.user_id is 'The authenticated user where the log has one, else the visitor key ''v:'' || md5(client_address || ''|'' || user_agent).';
comment on column core.int_access_log_requests_parsed.user_agent_lower is 'The User-Agent in lower case, as the bot patterns are written.';
comment on column core.int_access_log_requests_parsed.is_robots_fetch is 'True for a request of /robots.txt (any case).';
comment on column core.int_access_log_requests_parsed.path_extension is 'What follows the last dot of the path''s last segment, lower case; null when that segment has no dot.';
comment on column core.int_access_log_requests_parsed.referrer_host is 'Host of the Referer URL, lower case, without port; null when there is no referrer or it has no host.';
comment on column core.int_access_log_requests_parsed.utm_source is 'utm_source of the query string as logged; null when absent or empty.';
comment on column core.int_access_log_requests_parsed.utm_medium is 'utm_medium of the query string as logged; null when absent or empty.';
comment on column core.int_access_log_requests_parsed.utm_campaign is 'utm_campaign of the query string as logged; null when absent or empty.';

-- R__08_core_int_access_log_requests.sql (checksum <scrubbed>)
-- core.int_access_log_requests: the rules of the access_log source (issue 18), one row per request, bots included.
-- core.events takes the requests that are not bots; marts.http_status_daily counts them all; core.access_log_sessions
-- reads the landing page's referrer and UTM fields here.
--
-- Rules (the visitor key is core.int_access_log_requests_parsed's):
--   bot:       the lower-cased agent contains a pattern of core.bot_agent_patterns, or the visitor fetched /robots.txt
--              at any time (only robots read it). Staging keeps bots; sessions and session marts leave them out.
--   asset:     the path's extension is in core.asset_extensions: activity for the session, not a page view.
--   page view: not an asset, a parsed request line, status 2xx or 3xx (a redirect answers a page request too).
--   event_type: asset, page_view, error (4xx or 5xx, not an asset) or request (anything else, e.g. 1xx).
--   referrer channel: direct (no referrer), internal (the site's own host), search or social
--              (core.referrer_host_patterns), referral (any other). The log does not name its own host, so the site's
--              host is the most frequent referrer host of the log: every asset and every click between pages carries
--              one of the site's pages as referrer, which outnumbers any outside site in a real log.
-- The patterns are matched once per distinct agent and host (a few thousand), never once per request.

drop view if exists core.int_access_log_requests cascade;

create view core.int_access_log_requests as
with

requests as (
    select * from core.int_access_log_requests_parsed
),

bot_agent_patterns as (
    select * from core.bot_agent_patterns
),

asset_extensions as (
    select * from core.asset_extensions
),

referrer_host_patterns as (
    select * from core.referrer_host_patterns
),

-- core.int_access_log_requests_parsed is named in each CTE below rather than imported once: PostgreSQL materialises a
-- CTE read more than once, which would copy every request
robots_visitors as (
    select distinct user_id
    from core.int_access_log_requests_parsed
    where is_robots_fetch
),

agent_matches as (
    select
        agents.user_agent_lower,
        bot_agent_patterns.bot_family,
        bot_agent_patterns.bot_kind,
        row_number() over (
            partition by agents.user_agent_lower
            order by bot_agent_patterns.priority, bot_agent_patterns.agent_pattern
        ) as match_rank
    from (
        select distinct user_agent_lower
        from core.int_access_log_requests_parsed
        where user_agent_lower is not null
    ) as agents
    inner join bot_agent_patterns
        on agents.user_agent_lower like '%' || bot_agent_patterns.agent_pattern || '%'
),

bot_agents as (
    select
        user_agent_lower,
        bot_family,
        bot_kind
    from agent_matches
    where match_rank = 1
),

referrer_host_counts as (
    select
        referrer_host,
        count(*) as requests
    from core.int_access_log_requests_parsed
    where referrer_host is not null
    group by referrer_host
),

-- ties go to the first host in alphabetical order, so the answer never depends on the plan
site_host as (
    select min(referrer_host) as site_host
    from referrer_host_counts
    where requests = (select max(requests) from referrer_host_counts)
),

host_matches as (
    select
        referrer_host_counts.referrer_host,
        referrer_host_patterns.referrer_name,
        referrer_host_patterns.channel,
        row_number() over (
            partition by referrer_host_counts.referrer_host
            order by referrer_host_patterns.host_pattern
        ) as match_rank
    from referrer_host_counts
    inner join referrer_host_patterns
        on '.' || referrer_host_counts.referrer_host like referrer_host_patterns.host_pattern
),

known_hosts as (
    select
        referrer_host,
        referrer_name,
        channel
    from host_matches
    where match_rank = 1
),

requests_flagged as (
    select
        requests.*,
        bot_agents.bot_family,
        bot_agents.bot_kind,
        case when asset_extensions.extension is not null then true else false end as is_asset,
        case when robots_visitors.user_id is not null then true else false end as is_robots_visitor,
        known_hosts.referrer_name,
        known_hosts.channel as known_host_channel
    from requests
    left join bot_agents
        on bot_agents.user_agent_lower = requests.user_agent_lower
    left join asset_extensions
        on asset_extensions.extension = requests.path_extension
    left join robots_visitors
        on robots_visitors.user_id = requests.user_id
    left join known_hosts
        on known_hosts.referrer_host = requests.referrer_host
),

final as (
    select
        user_id,
        client_address,
        auth_user,
        event_at,
        method,
        path,
        query_string,
        status,
        referrer,
        user_agent,
        browser_family,
        os_family,
        device_family,
        source_file,
        source_line,
        load_id,
        case when bot_family is not null or is_robots_visitor then true else false end as is_bot,
        -- the agent's bot family; a robots.txt visitor whose agent matches no pattern is 'robots.txt visitor'
        cast(
            case
                when bot_family is not null then bot_family
                when is_robots_visitor then 'robots.txt visitor'
            end
            as varchar(64)
        ) as bot_family,
        cast(case when bot_family is not null then bot_kind when is_robots_visitor then 'crawler' end as varchar(16)) as bot_kind,
        is_asset,
        case
            when not is_asset and path is not null and status between 200 and 399 then true
            else false
        end as is_page_view,
        cast(
            case
                when is_asset then 'asset'
                when path is not null and status between 200 and 399 then 'page_view'
                when status >= 400 then 'error'
                else 'request'
            end
            as varchar(64)
        ) as event_type,
        cast(
            case
                when status between 100 and 599 then cast(cast(status / 100 as integer) as varchar(1)) || 'xx'
                else 'other'
            end
            as varchar(8)
        ) as status_class,
        referrer_host,
        cast(referrer_name as varchar(64)) as referrer_name,
        cast(
            case
                when referrer is null or referrer = '' then 'direct'
                -- the site answers with and without www. (semicomplete.com and www.semicomplete.com are one site)
                when referrer_host = (select site_host from site_host)
                    or referrer_host = 'www.' || (select site_host from site_host)
                    or 'www.' || referrer_host = (select site_host from site_host) then 'internal'
                when known_host_channel is not null then known_host_channel
                else 'referral'
            end
            as varchar(16)
        ) as referrer_channel,
        utm_source,
        utm_medium,
        utm_campaign
    from requests_flagged
)

select * from final;

comment on view core.int_access_log_requests is 'The access_log rules per request (bots, assets, page views, event type, referrer channel); bots included. Grain: load_id, source_file, source_line.';
comment on column core.int_access_log_requests.user_id is 'The authenticated user where the log has one, else the visitor key ''v:'' || md5(client_address || ''|'' || user_agent) (core.int_access_log_requests_parsed).';
comment on column core.int_access_log_requests.is_bot is 'True when the agent matches core.bot_agent_patterns or the same user ever fetched /robots.txt.';
comment on column core.int_access_log_requests.bot_family is 'The matching bot family (lowest priority pattern), or ''robots.txt visitor''; null for people.';
comment on column core.int_access_log_requests.bot_kind is 'crawler or tool; null for people.';
comment on column core.int_access_log_requests.is_asset is 'True when the path''s extension is in core.asset_extensions.';
comment on column core.int_access_log_requests.is_page_view is 'True for a request that is not an asset, has a parsed request line and a 2xx or 3xx status.';
comment on column core.int_access_log_requests.event_type is 'asset, page_view, error (4xx/5xx, not an asset) or request (anything else).';
comment on column core.int_access_log_requests.status_class is '1xx .. 5xx by the status''s first digit; other for a status outside 100-599.';
comment on column core.int_access_log_requests.referrer_host is 'Host of the Referer URL, lower case, without port.';
comment on column core.int_access_log_requests.referrer_name is 'The search engine or social network of the referrer host (core.referrer_host_patterns); null for others.';
comment on column core.int_access_log_requests.referrer_channel is 'direct (no referrer), internal (the log''s most frequent referrer host, the site itself), search, social or referral.';
comment on column core.int_access_log_requests.utm_source is 'utm_source of the query string as logged; null when absent.';
comment on column core.int_access_log_requests.utm_medium is 'utm_medium of the query string as logged; null when absent.';
comment on column core.int_access_log_requests.utm_campaign is 'utm_campaign of the query string as logged; null when absent.';

-- R__09_core_int_events_from_access_log.sql (checksum <scrubbed>)
-- core.int_events_from_access_log: the access_log requests that are not bots (core.int_access_log_requests, where its
-- rules live) as core.events' columns (ModelVariables: core_events_columns). core.events is the union of the
-- core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_access_log cascade;

create view core.int_events_from_access_log as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
select
    cast('access_log' as varchar(32)) as source,
    -- the authenticated user, else the visitor key (core.int_access_log_requests_parsed)
    user_id,
    event_at,
    -- asset, page_view, error or request: assets and errors are activity too, so they keep a session open
    event_type,
    source_file,
    source_line,
    method,
    path,
    cast(null as varchar(256)) as campaign_id,
    cast(null as varchar(256)) as reward_id,
    cast(null as bigint) as event_id,
    cast(null as varchar(65535)) as properties,
    cast(null as varchar(256)) as product_id,
    user_agent,
    cast(client_address as varchar(64)) as ip,
    browser_family,
    os_family,
    device_family,
    load_id
from core.int_access_log_requests
-- bots stay in staging and in core.int_access_log_requests; sessions are people's
where not is_bot;

comment on view core.int_events_from_access_log is 'The access_log requests of people (core.int_access_log_requests, bots left out) as core.events rows.';

-- R__09_core_int_events_from_clickstream.sql (checksum <scrubbed>)
-- core.int_events_from_clickstream: staging.clickstream's rows as core.events' columns (ModelVariables:
-- core_events_columns). core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_clickstream cascade;

create view core.int_events_from_clickstream as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
select
    cast('clickstream' as varchar(32)) as source,
    user_id,
    event_at,
    cast(case when product_id is not null then 'product_view' else 'page_view' end as varchar(64)) as event_type,
    source_file,
    source_line,
    cast(null as varchar(16)) as method,
    cast(null as varchar(4096)) as path,
    cast(null as varchar(256)) as campaign_id,
    cast(null as varchar(256)) as reward_id,
    cast(null as bigint) as event_id,
    cast(null as varchar(65535)) as properties,
    product_id,
    user_agent,
    ip,
    browser_family,
    os_family,
    device_family,
    load_id
from staging.clickstream;

comment on view core.int_events_from_clickstream is 'staging.clickstream as core.events rows: product_view when the row has a product, else page_view.';

-- R__09_core_int_events_from_device_events.sql (checksum <scrubbed>)
-- core.int_events_from_device_events: staging.device_events' rows as core.events' columns (ModelVariables:
-- core_events_columns). core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_device_events cascade;

create view core.int_events_from_device_events as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
select
    cast('device_events' as varchar(32)) as source,
    anonymous_id as user_id,
    event_at,
    -- null when the device sent no name
    cast(name as varchar(64)) as event_type,
    source_file,
    source_line,
    cast(null as varchar(16)) as method,
    cast(null as varchar(4096)) as path,
    cast(null as varchar(256)) as campaign_id,
    cast(null as varchar(256)) as reward_id,
    cast(null as bigint) as event_id,
    cast(null as varchar(65535)) as properties,
    cast(null as varchar(256)) as product_id,
    cast(null as varchar(4096)) as user_agent,
    cast(null as varchar(64)) as ip,
    browser_family,
    os_family,
    device_family,
    load_id
from staging.device_events;

comment on view core.int_events_from_device_events is 'staging.device_events as core.events rows; user_id is the anonymous id, event_type the event''s name.';

-- R__09_core_int_events_from_http_log.sql (checksum <scrubbed>)
-- core.int_events_from_http_log: staging.http_log's rows as core.events' columns (ModelVariables: core_events_columns),
-- each request classified. core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_http_log cascade;

create view core.int_events_from_http_log as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
select
    cast('http_log' as varchar(32)) as source,
    user_id,
    event_at,
    cast(request_type as varchar(64)) as event_type,
    source_file,
    source_line,
    method,
    path,
    cast(case when request_type = 'campaign_view' then resource_id end as varchar(256)) as campaign_id,
    cast(case when request_type = 'reward_issue' then resource_id end as varchar(256)) as reward_id,
    cast(null as bigint) as event_id,
    cast(null as varchar(65535)) as properties,
    cast(null as varchar(256)) as product_id,
    cast(null as varchar(4096)) as user_agent,
    cast(null as varchar(64)) as ip,
    cast(null as varchar(256)) as browser_family,
    cast(null as varchar(256)) as os_family,
    cast(null as varchar(256)) as device_family,
    load_id
from (
    -- classified rather than method || path so campaign views and reward issues read as what they are; any other
    -- request is still activity and counts for sessions
    select
        http_requests.*,
        case
            when method = 'GET' and resource = 'campaigns' and resource_id <> '' and resource_rest = '' then 'campaign_view'
            when method = 'POST' and resource = 'rewards' and resource_id <> '' and resource_rest = '' then 'reward_issue'
            else 'request'
        end as request_type
    from (
        select
            http_log.*,
            -- a query string is not part of the resource: /campaigns/7?ref=mail views campaign 7
            split_part(split_part(path, '?', 1), '/', 2) as resource,
            split_part(split_part(path, '?', 1), '/', 3) as resource_id,
            split_part(split_part(path, '?', 1), '/', 4) as resource_rest
        from staging.http_log
    ) as http_requests
) as http_requests_classified;

comment on view core.int_events_from_http_log is 'staging.http_log as core.events rows: campaign_view (GET /campaigns/{id}), reward_issue (POST /rewards/{id}) or request.';

-- R__09_core_int_events_from_webshop_events.sql (checksum <scrubbed>)
-- core.int_events_from_webshop_events: staging.webshop_events' rows as core.events' columns (ModelVariables:
-- core_events_columns). core.events is the union of the core.int_events_from_* models, one per source.
-- The cascade drops core.events and the views built on it; the runner re-applies every later repeatable after this one
-- runs, so they come back in the same migration.

drop view if exists core.int_events_from_webshop_events cascade;

create view core.int_events_from_webshop_events as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and core.events'
-- union would then pass every event through a step of its own.
select
    cast('webshop_events' as varchar(32)) as source,
    -- null for anonymous events: they stay here but are not sessionized
    customer_id as user_id,
    event_at,
    event_type,
    source_file,
    source_line,
    cast(null as varchar(16)) as method,
    cast(null as varchar(4096)) as path,
    cast(null as varchar(256)) as campaign_id,
    cast(null as varchar(256)) as reward_id,
    event_id,
    properties,
    cast(null as varchar(256)) as product_id,
    user_agent,
    ip,
    browser_family,
    os_family,
    device_family,
    load_id
from staging.webshop_events;

comment on view core.int_events_from_webshop_events is 'staging.webshop_events as core.events rows; user_id is the customer, null for anonymous events.';

-- R__10_core_events.sql (checksum <scrubbed>)
-- core.events: every source's rows in one shape. Each source's columns are mapped in its own model,
-- core.int_events_from_<source> (R__09, the only readers of the staging source tables; access_log's through its rules
-- model, core.int_access_log_requests, which leaves its bots out); this view is their union, by the one column list of
-- ModelVariables (core_events_columns).
-- The cascade drops the views built on this one; the runner re-applies every later repeatable after this one runs,
-- so they come back in the same migration.

drop view if exists core.events cascade;

create view core.events as
with

http_log as (
    select * from core.int_events_from_http_log
),

webshop_events as (
    select * from core.int_events_from_webshop_events
),

device_events as (
    select * from core.int_events_from_device_events
),

clickstream as (
    select * from core.int_events_from_clickstream
),

access_log as (
    select * from core.int_events_from_access_log
),

final as (
    select source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id, properties, product_id, user_agent, ip, browser_family, os_family, device_family, load_id from http_log
    union all
    select source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id, properties, product_id, user_agent, ip, browser_family, os_family, device_family, load_id from webshop_events
    union all
    select source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id, properties, product_id, user_agent, ip, browser_family, os_family, device_family, load_id from device_events
    union all
    select source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id, properties, product_id, user_agent, ip, browser_family, os_family, device_family, load_id from clickstream
    union all
    select source, user_id, event_at, event_type, source_file, source_line, method, path, campaign_id, reward_id, event_id, properties, product_id, user_agent, ip, browser_family, os_family, device_family, load_id from access_log
)

select * from final;

comment on view core.events is 'Every loaded event of every source in one shape; source-specific columns are null for other sources. Grain: one row per staging row (source, source_file, source_line per loaded file), access_log bots left out.';

-- a documented view: the read-only login of analysts, BI tools and the API reads it (V0140)
grant select on core.events to warehouse_api;
comment on column core.events.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column core.events.user_id is 'The user as written in the input: http user_id, webshop customer-id, device anonymous_id, clickstream userId, access_log the authenticated user or else the visitor key (core.int_access_log_requests_parsed). Null only for anonymous webshop events.';
comment on column core.events.event_at is 'When the event happened, UTC.';
comment on column core.events.event_type is 'http_log: campaign_view (GET /campaigns/{id}), reward_issue (POST /rewards/{id}) or request; webshop: its type; device: its name (null when absent); clickstream: product_view or page_view; access_log: page_view, asset, error or request (core.int_access_log_requests).';
comment on column core.events.source_file is 'Raw file name the event came from.';
comment on column core.events.source_line is '1-based line number in the raw file; breaks ties between events at the same time.';
comment on column core.events.method is 'http_log and access_log: HTTP method.';
comment on column core.events.path is 'http_log: request path; access_log: request path without the query string.';
comment on column core.events.campaign_id is 'http_log only: the campaign id of a campaign_view.';
comment on column core.events.reward_id is 'http_log only: the reward id of a reward_issue.';
comment on column core.events.event_id is 'webshop_events only: the event''s JSON id.';
comment on column core.events.properties is 'webshop_events only: compact JSON of the type-specific fields.';
comment on column core.events.product_id is 'clickstream only: the productId.';
comment on column core.events.user_agent is 'webshop_events, clickstream and access_log: the User-Agent header.';
comment on column core.events.ip is 'webshop_events, clickstream and access_log: the client IP address (access_log: the logged client address, up to 64 characters).';
comment on column core.events.browser_family is 'Browser family (webshop, clickstream, access_log: derived from user_agent; device: as sent).';
comment on column core.events.os_family is 'Operating system family (webshop, clickstream, access_log: derived from user_agent; device: as sent).';
comment on column core.events.load_id is 'The staging load (staging.loaded_files.load_id) that added the row; null for rows loaded before loads were numbered.';
comment on column core.events.device_family is 'Device family (webshop, clickstream, access_log: derived from user_agent; device: as sent).';

-- R__12_core_int_refresh_scope.sql (checksum <scrubbed>)
-- core.int_refresh_scope: what the statement running now must build, one row. The refresh machinery in one place: the
-- rule models (sessionize, sessions, HTTP summary) read it and stay plain selects over "this run's" rows.
--
-- A full refresh runs one transaction per bucket of users, each on its own connection, and tells that connection its
-- bucket with `set local warehouse.refresh_bucket = ...` (and the refresh id, the bucket count and that it rebuilds
-- everything). Without those settings (an incremental refresh, Redshift, an analyst) the scope is every bucket, the
-- refresh id and bucket count are core.refresh_state's, and only rows loaded since the last refresh are new.

drop view if exists core.int_refresh_scope cascade;

create view core.int_refresh_scope as
with

refresh_state as (
    select * from core.refresh_state
),

settings as (
    select
        cast(/* warehouse.refresh_id */ cast(null as varchar(32)) as bigint) as refresh_id,
        cast(/* warehouse.refresh_bucket_count */ cast(null as varchar(32)) as integer) as bucket_count,
        cast(/* warehouse.refresh_bucket */ cast(null as varchar(32)) as integer) as bucket,
        /* warehouse.refresh_full */ cast(null as varchar(32)) as full_setting
),

state as (
    select
        max(refresh_id) as refresh_id,
        max(bucket_count) as bucket_count
    from refresh_state
),

final as (
    select
        coalesce(settings.refresh_id, state.refresh_id) as refresh_id,
        coalesce(settings.bucket_count, state.bucket_count) as bucket_count,
        cast(settings.bucket as smallint) as bucket,
        case when settings.full_setting = 'on' then true else false end as is_full
    from settings
    cross join state
)

select * from final;

comment on view core.int_refresh_scope is 'Refresh machinery: the refresh id, bucket count, the bucket the running statement builds (null: all of them) and whether it rebuilds everything; the refresher sets them per connection, otherwise every bucket of the last refresh.';
comment on column core.int_refresh_scope.refresh_id is 'The refresh being built (setting warehouse.refresh_id, else core.refresh_state.refresh_id).';
comment on column core.int_refresh_scope.bucket_count is 'How many user buckets rows are filed in (setting warehouse.refresh_bucket_count, else core.refresh_state.bucket_count).';
comment on column core.int_refresh_scope.bucket is 'The user bucket the running statement builds (setting warehouse.refresh_bucket); null for every bucket.';
comment on column core.int_refresh_scope.is_full is 'True when every staging row is taken in (a full refresh), false when only rows loaded after core.refresh_state.loaded_through_load_id are.';

-- R__15_core_int_events_sessionized.sql (checksum <scrubbed>)
-- core.int_events_sessionized: the sessionization logic (issue 4's rules), applied to what the current refresh must
-- (re)build. The refresher writes its rows, context rows left out, into core.fct_sessionized_events_this_run and from
-- there into core.fct_sessionized_events; analysts read
-- core.sessionized_events. Outside a refresh it shows the events loaded since the last refresh, sessionized as if
-- each of their users started there.
--
-- Rules: events ordered by time, ties by position in the input (source_file, source_line) so results never depend on
-- the plan; a session starts at the user's first event and wherever the gap to the previous event is greater than or
-- equal to the threshold in core.session_gap_settings.
--
-- Input, two parts:
--   new events:      core.events of the buckets being built (core.int_refresh_scope), loaded after the source's
--                    core.refresh_state.loaded_through_load_id (all of them in a full refresh, or when the
--                    source is rebuilt, where that is -1);
--   reopened events: core.int_reopened_events, filled by the refresher with the materialised events of users that have
--                    new events, from the first session a new event can change, plus one context row per user: the
--                    event just before, which carries its session number and event number. Its time gives the first
--                    reopened event its previous_event_at, and the running sums continue from its numbers.
-- Numbers are running sums rather than row_number() so both continue from the context row; every window here has the
-- same partition and order, so the whole view is one sort. Only the columns the rules read go through it (the keys,
-- event type, campaign, reward, families): core.sessionized_events joins an event's other columns back from staging.

drop view if exists core.int_events_sessionized cascade;

create view core.int_events_sessionized as
with

refresh_scope as (
    select * from core.int_refresh_scope
),

events as (
    -- anonymous webshop events (null customer) have no user to sessionize; they stay in core.events
    select * from core.events
    where user_id is not null
        -- the users of the bucket this statement builds (all of them unless the refresher splits the work)
        and (
            (select bucket from refresh_scope) is null
            or mod((fnv_hash(user_id) & 2147483647), (select bucket_count from refresh_scope)) = (select bucket from refresh_scope)
        )
),

reopened_events as (
    select * from core.int_reopened_events
),

session_gap_settings as (
    select * from core.session_gap_settings
),

refresh_state as (
    select * from core.refresh_state
),

-- settings and state pivoted to one row, read below through scalar subqueries, which the database evaluates once per
-- statement. A join on source made the planner guess 2% of the rows (and wrong estimates turn later joins into nested
-- loops); a cross join with the one row was exact but costs a join step for every event (docs/performance.md).
session_gaps as (
    select
        max(case when source = 'http_log' then gap_seconds end) as http_log_gap_seconds,
        max(case when source = 'webshop_events' then gap_seconds end) as webshop_events_gap_seconds,
        max(case when source = 'device_events' then gap_seconds end) as device_events_gap_seconds,
        max(case when source = 'clickstream' then gap_seconds end) as clickstream_gap_seconds,
        max(case when source = 'access_log' then gap_seconds end) as access_log_gap_seconds
    from session_gap_settings
),

loaded_through as (
    select
        max(case when source = 'http_log' then loaded_through_load_id end) as http_log_load_id,
        max(case when source = 'webshop_events' then loaded_through_load_id end) as webshop_events_load_id,
        max(case when source = 'device_events' then loaded_through_load_id end) as device_events_load_id,
        max(case when source = 'clickstream' then loaded_through_load_id end) as clickstream_load_id,
        max(case when source = 'access_log' then loaded_through_load_id end) as access_log_load_id
    from refresh_state
),

new_events as (
    select
        -- the columns the rules read (ModelVariables.EventColumns), in core.int_reopened_events' order
        source, user_id, event_at, event_type, source_file, source_line, campaign_id, reward_id, browser_family, os_family, device_family,
        events.load_id,
        false as is_context,
        cast(null as bigint) as carried_session_number,
        cast(null as bigint) as carried_user_event_number
    from events
    -- rows without a load_id (loaded before loads were numbered) count as load 0: only a rebuild (-1) takes them in.
    -- A full refresh takes in every row.
    where (select is_full from refresh_scope)
        or coalesce(events.load_id, 0) > case events.source
            when 'http_log' then (select http_log_load_id from loaded_through)
            when 'webshop_events' then (select webshop_events_load_id from loaded_through)
            when 'device_events' then (select device_events_load_id from loaded_through)
            when 'clickstream' then (select clickstream_load_id from loaded_through)
            when 'access_log' then (select access_log_load_id from loaded_through)
        end
),

events_to_sessionize as (
    select * from new_events
    union all
    select
        source, user_id, event_at, event_type, source_file, source_line, campaign_id, reward_id, browser_family, os_family, device_family,
        load_id,
        is_context,
        carried_session_number,
        carried_user_event_number
    from reopened_events
),

events_with_previous as (
    select
        events_to_sessionize.*,
        case events_to_sessionize.source
            when 'http_log' then (select http_log_gap_seconds from session_gaps)
            when 'webshop_events' then (select webshop_events_gap_seconds from session_gaps)
            when 'device_events' then (select device_events_gap_seconds from session_gaps)
            when 'clickstream' then (select clickstream_gap_seconds from session_gaps)
            when 'access_log' then (select access_log_gap_seconds from session_gaps)
        end as session_gap_seconds,
        -- no default argument (Redshift's LAG has none): the first event gets null and starts a session
        -- partitioned by user first: the sort's leading key then varies, so PostgreSQL's abbreviated keys work (with the
        -- constant-per-source column first they are abandoned and every comparison walks the whole key)
        lag(events_to_sessionize.event_at) over (
            partition by events_to_sessionize.user_id, events_to_sessionize.source
            order by events_to_sessionize.event_at, events_to_sessionize.source_file, events_to_sessionize.source_line
        ) as previous_event_at
    from events_to_sessionize
),

events_flagged as (
    select
        events_with_previous.*,
        -- a gap of exactly the threshold starts a new session ("greater than or equal to"); one millisecond less does not.
        -- Compared as timestamps: exact to the microsecond, and far cheaper than numeric seconds.
        case
            when previous_event_at is null then true
            when event_at >= previous_event_at + session_gap_seconds * interval '1 second' then true
            else false
        end as is_new_session
    from events_with_previous
),

events_numbered as (
    select
        events_flagged.*,
        -- a context row contributes the numbers it already had, so the rebuilt part continues from them.
        -- Summed as integers (per-user counts never near 2^31): sum(integer) keeps a bigint running total, where
        -- sum(bigint) goes through numeric for every row.
        sum(cast(case when is_context then carried_session_number when is_new_session then 1 else 0 end as integer)) over (
            partition by user_id, source
            order by event_at, source_file, source_line
            rows between unbounded preceding and current row
        ) as session_number,
        sum(cast(case when is_context then carried_user_event_number else 1 end as integer)) over (
            partition by user_id, source
            order by event_at, source_file, source_line
            rows between unbounded preceding and current row
        ) as user_event_number
    from events_flagged
),

final as (
    select
        source, user_id, event_at, event_type, source_file, source_line, campaign_id, reward_id, browser_family, os_family, device_family,
        -- session_id, seconds_since_previous_event and session_gap_seconds are derived from these where they are
        -- read (core.sessionized_events, core.int_sessions_aggregated), not stored per event (V0063)
        events_numbered.user_event_number,
        events_numbered.previous_event_at,
        events_numbered.is_new_session,
        events_numbered.session_number,
        events_numbered.load_id,
        (select refresh_id from refresh_scope) as refresh_id,
        cast(mod((fnv_hash(events_numbered.user_id) & 2147483647), (select bucket_count from refresh_scope)) as smallint) as user_bucket,
        events_numbered.is_context
    from events_numbered
)

select * from final;

comment on view core.int_events_sessionized is 'Sessionization logic over what the current refresh rebuilds (new events plus reopened materialised ones); the refresher materialises it into core.fct_sessionized_events. Analysts read core.sessionized_events.';
comment on column core.int_events_sessionized.is_context is 'True for the context row the refresher adds before a user''s rebuilt events; never materialised.';

-- R__17_core_int_reopen_points.sql (checksum <scrubbed>)
-- core.int_reopen_points: where an incremental refresh must start rebuilding each user's sessions. Refresh machinery:
-- the refresher reads it once per incremental refresh, moves the events from that point on back through
-- core.int_events_sessionized (with the event just before as context) and deletes what was built from them.
--
-- Per source and user with events loaded since the last refresh: the session of the user's last materialised event
-- strictly before the earliest new one, since a new event can extend, merge or split that session and renumber what
-- follows, never change anything before it. An event at the same instant may sort either side of the new one (ties
-- go by file and line), so it does not count as before. That session is the user's last one starting before the
-- earliest new event; the context row is the last event of the session before it, whose number is the count of the
-- user's events in the sessions before. Both come from the sessions, a third the size of the events.

drop view if exists core.int_reopen_points cascade;

create view core.int_reopen_points as
with

refresh_state as (
    select * from core.refresh_state
    where loaded_through_load_id >= 0
),

events as (
    select * from core.events
),

new_events as (
    select
        events.source,
        events.user_id,
        min(events.event_at) as first_new_event_at
    from events
    inner join refresh_state
        on refresh_state.source = events.source
    where events.user_id is not null
        -- rows without a load_id (loaded before loads were numbered) count as load 0
        and coalesce(events.load_id, 0) > refresh_state.loaded_through_load_id
    group by events.source, events.user_id
),

-- core.fct_sessions is named in both joins rather than imported once: PostgreSQL copies a CTE that is read twice
reopen_sessions as (
    select
        new_events.source,
        new_events.user_id,
        coalesce(max(fct_sessions.session_number), 1) as reopen_session_number
    from new_events
    left join core.fct_sessions as fct_sessions
        on fct_sessions.source = new_events.source
        and fct_sessions.user_id = new_events.user_id
        and fct_sessions.session_start < new_events.first_new_event_at
    group by new_events.source, new_events.user_id
),

final as (
    select
        reopen_sessions.source,
        reopen_sessions.user_id,
        reopen_sessions.reopen_session_number,
        -- null when the first session reopens: there is no event before it
        cast(sum(fct_sessions.event_count) as bigint) as context_user_event_number
    from reopen_sessions
    left join core.fct_sessions as fct_sessions
        on fct_sessions.source = reopen_sessions.source
        and fct_sessions.user_id = reopen_sessions.user_id
        and fct_sessions.session_number < reopen_sessions.reopen_session_number
    group by reopen_sessions.source, reopen_sessions.user_id, reopen_sessions.reopen_session_number
)

select * from final;

comment on view core.int_reopen_points is 'Refresh machinery: per source and user with events loaded since the last refresh, the first materialised session an incremental refresh rebuilds (reopen_session_number) and the user_event_number of the event just before it (null when there is none).';

-- R__18_core_int_access_log_late_robots.sql (checksum <scrubbed>)
-- core.int_access_log_late_robots: access_log visitors who fetched /robots.txt in a load the last refresh did not take
-- in, while sessions of theirs are materialised. Refresh machinery: a robots.txt fetch makes every request of its
-- visitor a bot's (core.int_access_log_requests), the earlier ones too, and an incremental refresh only rebuilds from
-- a user's new events on; so when this view has a row the refresher rebuilds the source, as it does when the mapping
-- changes. A crawler that names itself is a bot by its agent from its first request and never lands here.

drop view if exists core.int_access_log_late_robots cascade;

create view core.int_access_log_late_robots as
with

refresh_state as (
    select * from core.refresh_state
    where source = 'access_log'
        and loaded_through_load_id >= 0
),

robots_fetches as (
    select * from core.int_access_log_requests_parsed
    where is_robots_fetch
),

fct_sessions as (
    select * from core.fct_sessions
    where source = 'access_log'
),

-- rows without a load_id (loaded before loads were numbered) count as load 0
new_robots_visitors as (
    select distinct robots_fetches.user_id
    from robots_fetches
    inner join refresh_state
        on coalesce(robots_fetches.load_id, 0) > refresh_state.loaded_through_load_id
),

final as (
    select new_robots_visitors.user_id
    from new_robots_visitors
    where exists (
        select 1
        from fct_sessions
        where fct_sessions.user_id = new_robots_visitors.user_id
    )
)

select * from final;

comment on view core.int_access_log_late_robots is 'Refresh machinery: access_log users with a /robots.txt fetch loaded after the last refresh and sessions already materialised; any row makes the refresher rebuild access_log. Grain: user_id.';
comment on column core.int_access_log_late_robots.user_id is 'The visitor (core.int_access_log_requests_parsed.user_id).';

-- R__20_core_sessionized_events.sql (checksum <scrubbed>)
-- core.sessionized_events: each user's events in order, split into sessions by the source's gap threshold.
-- The rows are materialised by the refresher (core.fct_sessionized_events, built by core.int_events_sessionized, where
-- the rules live); this view is the contract name and columns over them. It reflects the last `warehouse refresh`.
-- The materialised rows are narrow (what the rules read): an event's other columns (method, path, properties, user
-- agent, ...) come from its staging row, found by source, load, file and line.
-- Three columns are derived here rather than stored (V0063): session_id, seconds_since_previous_event, and
-- session_gap_seconds, the threshold core.refresh_state records for the source's materialised rows.

drop view if exists core.sessionized_events cascade;

create view core.sessionized_events as
with

fct_sessionized_events as (
    select * from core.fct_sessionized_events
),

events as (
    select * from core.events
),

refresh_state as (
    select * from core.refresh_state
),

final as (
    select
        fct_sessionized_events.source,
        fct_sessionized_events.user_id,
        fct_sessionized_events.event_at,
        fct_sessionized_events.event_type,
        fct_sessionized_events.source_file,
        fct_sessionized_events.source_line,
        events.method,
        events.path,
        fct_sessionized_events.campaign_id,
        fct_sessionized_events.reward_id,
        events.event_id,
        events.properties,
        events.product_id,
        events.user_agent,
        events.ip,
        fct_sessionized_events.browser_family,
        fct_sessionized_events.os_family,
        fct_sessionized_events.device_family,
        refresh_state.session_gap_seconds,
        fct_sessionized_events.user_event_number,
        fct_sessionized_events.previous_event_at,
        cast(
            extract(epoch from fct_sessionized_events.event_at) - extract(epoch from fct_sessionized_events.previous_event_at)
            as decimal(18, 6)
        ) as seconds_since_previous_event,
        fct_sessionized_events.is_new_session,
        fct_sessionized_events.session_number,
        -- the id core.int_sessions_aggregated gives the session (ModelVariables)
        cast(fct_sessionized_events.source || ':' || fct_sessionized_events.user_id || ':' || cast(fct_sessionized_events.session_number as varchar(20)) as varchar(320)) as session_id
    from fct_sessionized_events
    -- one staging row per event: a load is one file, and a file's lines are numbered once. Rows loaded before loads
    -- were numbered have no load id on either side.
    left join events
        on events.source = fct_sessionized_events.source
        and coalesce(events.load_id, 0) = coalesce(fct_sessionized_events.load_id, 0)
        and events.source_file = fct_sessionized_events.source_file
        and events.source_line = fct_sessionized_events.source_line
    -- every source has its row in core.refresh_state, so a left join keeps the same rows as an inner one; and since
    -- source is that table's key, PostgreSQL drops the join from any query that does not read session_gap_seconds
    -- (most profile queries read every event here)
    left join refresh_state
        on refresh_state.source = fct_sessionized_events.source
)

select * from final;

comment on view core.sessionized_events is 'Events that have a user (all but anonymous webshop events), with their session, as of the last refresh. Grain: one row per event; session_id identifies the session.';

-- a documented view: the read-only login of analysts, BI tools and the API reads it (V0140)
grant select on core.sessionized_events to warehouse_api;
comment on column core.sessionized_events.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column core.sessionized_events.user_id is 'The user as written in the input.';
comment on column core.sessionized_events.event_at is 'When the event happened, UTC.';
comment on column core.sessionized_events.event_type is 'As in core.events.';
comment on column core.sessionized_events.source_file is 'Raw file name the event came from.';
comment on column core.sessionized_events.source_line is '1-based line number in the raw file; breaks ties between events at the same time.';
comment on column core.sessionized_events.method is 'http_log and access_log: HTTP method.';
comment on column core.sessionized_events.path is 'http_log: request path; access_log: request path without the query string.';
comment on column core.sessionized_events.campaign_id is 'http_log only: the campaign id of a campaign_view.';
comment on column core.sessionized_events.reward_id is 'http_log only: the reward id of a reward_issue.';
comment on column core.sessionized_events.event_id is 'webshop_events only: the event''s JSON id.';
comment on column core.sessionized_events.properties is 'webshop_events only: compact JSON of the type-specific fields.';
comment on column core.sessionized_events.product_id is 'clickstream only: the productId.';
comment on column core.sessionized_events.user_agent is 'webshop_events, clickstream and access_log: the User-Agent header.';
comment on column core.sessionized_events.ip is 'webshop_events, clickstream and access_log: the client IP address.';
comment on column core.sessionized_events.browser_family is 'Browser family of this event.';
comment on column core.sessionized_events.os_family is 'Operating system family of this event.';
comment on column core.sessionized_events.device_family is 'Device family of this event.';
comment on column core.sessionized_events.session_gap_seconds is 'The source''s threshold from core.session_gap_settings the session was built with.';
comment on column core.sessionized_events.user_event_number is '1-based position of the event among its user''s events of this source (time, then source_file, source_line).';
comment on column core.sessionized_events.previous_event_at is 'The same user''s previous event time in this source; null for the first event.';
comment on column core.sessionized_events.seconds_since_previous_event is 'event_at - previous_event_at in seconds (microsecond precision); null for the first event.';
comment on column core.sessionized_events.is_new_session is 'True for the user''s first event and when seconds_since_previous_event >= session_gap_seconds.';
comment on column core.sessionized_events.session_number is '1-based number of the session among the user''s sessions in this source.';
comment on column core.sessionized_events.session_id is 'source:user_id:session_number, unique per session.';

-- R__22_core_int_sessionized_events_this_run.sql (checksum <scrubbed>)
-- core.int_sessionized_events_this_run: the sessionized events the current refresh wrote (whole sessions), of the user
-- bucket the running statement builds. Refresh machinery: the session and HTTP summary models read their events here.
-- A view rather than a CTE so each reader inlines it: PostgreSQL materialises a CTE read more than once.

drop view if exists core.int_sessionized_events_this_run cascade;

create view core.int_sessionized_events_this_run as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and every row read
-- here would pass through the extra plan layers.
-- A bucket's connection in a full refresh reads its own partition only: PostgreSQL prunes the others when the statement
-- starts, and plans from that partition's statistics (an equality, unlike a range, is estimated from them).
select * from core.fct_sessionized_events_this_run
where user_bucket = (select bucket from core.int_refresh_scope)
-- every other refresh builds all buckets at once
union all
select * from core.fct_sessionized_events_this_run
where (select bucket from core.int_refresh_scope) is null;

comment on view core.int_sessionized_events_this_run is 'Refresh machinery: core.fct_sessionized_events_this_run restricted to the bucket in core.int_refresh_scope (all of it when none is set).';

-- R__23_core_int_sessions_this_run.sql (checksum <scrubbed>)
-- core.int_sessions_this_run: the sessions the current refresh wrote, of the user bucket the running statement builds.
-- Refresh machinery, the twin of core.int_sessionized_events_this_run; the HTTP summary model reads its sessions here.

drop view if exists core.int_sessions_this_run cascade;

create view core.int_sessions_this_run as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and every row read
-- here would pass through the extra plan layers.
-- A bucket's connection in a full refresh reads its own partition only: PostgreSQL prunes the others when the statement
-- starts, and plans from that partition's statistics (an equality, unlike a range, is estimated from them).
select * from core.fct_sessions_this_run
where user_bucket = (select bucket from core.int_refresh_scope)
-- every other refresh builds all buckets at once
union all
select * from core.fct_sessions_this_run
where (select bucket from core.int_refresh_scope) is null;

comment on view core.int_sessions_this_run is 'Refresh machinery: core.fct_sessions_this_run restricted to the bucket in core.int_refresh_scope (all of it when none is set).';

-- R__25_core_int_sessions_aggregated.sql (checksum <scrubbed>)
-- core.int_sessions_aggregated: sessions of the events the current refresh (re)wrote. A refresh rewrites every event
-- of every session it touches, so each session here is complete; the refresher materialises the rows into
-- core.fct_sessions_this_run and from there into core.fct_sessions. Analysts read core.sessions.

drop view if exists core.int_sessions_aggregated cascade;

create view core.int_sessions_aggregated as
with

refreshed_events as (
    select * from core.int_sessionized_events_this_run
),

sessions_aggregated as (
    select
        source,
        user_id,
        session_number,
        user_bucket,
        min(event_at) as session_start,
        max(event_at) as session_end,
        count(*) as event_count,
        -- families can change inside a session; the first event decides. Exactly one event per session starts it,
        -- so max() over "this event's family if it starts the session" picks the first event's value without a join.
        max(case when is_new_session then browser_family end) as browser_family,
        max(case when is_new_session then os_family end) as os_family,
        max(case when is_new_session then device_family end) as device_family,
        -- an order session for marts.order_metrics; kept here so that mart reads sessions, not events
        max(case when source = 'webshop_events' and event_type = 'placed_order' then 1 else 0 end) as placed_orders_flag,
        max(refresh_id) as refresh_id
    from refreshed_events
    -- grouped by the parts of the session id, not the id: the id is built once per session below instead of once per
    -- event (it is no longer stored with the events, V0063). A user has one bucket, so it adds no group.
    group by source, user_id, session_number, user_bucket
),

final as (
    select
        source,
        user_id,
        cast(source || ':' || user_id || ':' || cast(session_number as varchar(20)) as varchar(320)) as session_id,
        session_number,
        session_start,
        session_end,
        event_count,
        cast(extract(epoch from session_end) - extract(epoch from session_start) as decimal(18, 6)) as duration_seconds,
        cast(browser_family as varchar(256)) as browser_family,
        cast(os_family as varchar(256)) as os_family,
        cast(device_family as varchar(256)) as device_family,
        case when placed_orders_flag = 1 then true else false end as has_placed_order,
        refresh_id,
        user_bucket
    from sessions_aggregated
)

select * from final;

comment on view core.int_sessions_aggregated is 'Sessions of the events written by the current refresh; the refresher materialises it into core.fct_sessions. Analysts read core.sessions.';

-- R__26_core_int_sessions_refreshed.sql (checksum <scrubbed>)
-- core.int_sessions_refreshed: every session as the running refresh leaves it, with its UTC day. Refresh machinery: the
-- daily mart models read it and stay plain aggregates. A full refresh in buckets builds those marts after its buckets
-- commit and before it publishes them, so there the sessions are the this_run tables (setting warehouse.refresh_full);
-- otherwise (an incremental refresh, Redshift, an analyst) they are the live table.

drop view if exists core.int_sessions_refreshed cascade;

create view core.int_sessions_refreshed as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and a filter on
-- source or day would not reach the scan.
-- The columns, with the UTC day of every daily session mart, are ModelVariables' sessions_refreshed_columns.
select source, user_id, session_number, session_start, cast(session_start at time zone 'UTC' as date) as session_date, event_count, duration_seconds, browser_family, os_family, device_family, refresh_id
from core.fct_sessions_this_run
where (select is_full from core.int_refresh_scope) and (select bucket from core.int_refresh_scope) is null
union all
select source, user_id, session_number, session_start, cast(session_start at time zone 'UTC' as date) as session_date, event_count, duration_seconds, browser_family, os_family, device_family, refresh_id
from core.fct_sessions
where not ((select is_full from core.int_refresh_scope) and (select bucket from core.int_refresh_scope) is null);

comment on view core.int_sessions_refreshed is 'Refresh machinery: every session with its UTC session_date, from core.fct_sessions_this_run while a full refresh builds the daily marts before publishing (warehouse.refresh_full on, no bucket), else from core.fct_sessions.';

-- R__30_core_sessions.sql (checksum <scrubbed>)
-- core.sessions: one row per session of every source, as of the last refresh. The rows are materialised by the
-- refresher (core.fct_sessions, built by core.int_sessions_aggregated); this view is the contract name and columns.

drop view if exists core.sessions cascade;

create view core.sessions as
with

fct_sessions as (
    select * from core.fct_sessions
),

final as (
    select
        source,
        user_id,
        session_id,
        session_number,
        session_start,
        session_end,
        event_count,
        duration_seconds,
        browser_family,
        os_family,
        device_family
    from fct_sessions
)

select * from final;

comment on view core.sessions is 'One row per session of every source (anonymous webshop events excluded). Grain: session_id.';

-- a documented view: the read-only login of analysts, BI tools and the API reads it (V0140)
grant select on core.sessions to warehouse_api;
comment on column core.sessions.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column core.sessions.user_id is 'The user as written in the input.';
comment on column core.sessions.session_id is 'source:user_id:session_number, unique.';
comment on column core.sessions.session_number is '1-based number of the session among the user''s sessions in this source.';
comment on column core.sessions.session_start is 'Time of the session''s first event, UTC.';
comment on column core.sessions.session_end is 'Time of the session''s last event, UTC.';
comment on column core.sessions.event_count is 'Events in the session.';
comment on column core.sessions.duration_seconds is 'session_end - session_start in seconds; 0 for a single-event session.';
comment on column core.sessions.browser_family is 'Browser family of the session''s first event.';
comment on column core.sessions.os_family is 'Operating system family of the session''s first event.';
comment on column core.sessions.device_family is 'Device family of the session''s first event.';

-- R__33_core_int_http_sessions_summarized.sql (checksum <scrubbed>)
-- core.int_http_sessions_summarized: per HTTP-log session the current refresh (re)wrote, the campaigns viewed and
-- rewards issued as ordered lists, and whether a campaign view drove a reward. The refresher materialises it into
-- core.fct_http_sessions; marts.campaign_performance and core.http_session_lists read that table.
--
-- DIALECT POINT: the lists are the one place where PostgreSQL and Redshift SQL differ: the ordered_list variable
-- (id, n) is array_remove(array_agg(id order by n), null) on PostgreSQL and a LISTAGG string on Redshift (both skip
-- null ids), and empty_list, the list of a session without any, is an empty array on PostgreSQL and an empty string on
-- Redshift (runner/Warehouse.Core/Portability/Dialect.cs).
--
-- Shape, for speed at millions of events: the sessions come from core.fct_sessions (already one row each), and the
-- events are read only where they matter, the campaign views and the reward issues. Every CTE is read once, so
-- PostgreSQL inlines it and each grouping reads its input in the order the grouping before it produced: the campaign
-- side is one sort of the views and mapped issues, the reward side one sort of the issues (a CTE read twice is
-- materialised, and its order is forgotten, so the views would be sorted again for each reader). Keys are
-- (user_id, session_number), never the text session_id: that id starts with the constant 'http_log:', so sorts on it
-- cannot use abbreviated keys. The two lists are aggregated in separate CTEs: Redshift rejects ordered aggregates with
-- different ORDER BYs in one SELECT.

drop view if exists core.int_http_sessions_summarized cascade;

create view core.int_http_sessions_summarized as
with

-- the sessions the current refresh wrote (it rewrites whole sessions), of the bucket the running statement builds:
-- each gets a row, with or without views
sessions as (
    select * from core.int_sessions_this_run
    where source = 'http_log'
),

campaign_reward_mapping as (
    select * from staging.campaign_reward_mapping
),

-- what a session did with each campaign: viewed it (with the view's position and time), or was issued a reward of it
-- per the mapping (with the issue's time). One row per view and one per (issue, mapped campaign).
campaign_touches as (
    select
        user_id,
        session_number,
        campaign_id,
        user_event_number as view_number,
        event_at as viewed_at,
        cast(null as timestamp with time zone) as reward_issued_at
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'campaign_view'

    union all

    select
        reward_issues.user_id,
        reward_issues.session_number,
        campaign_reward_mapping.campaign_id,
        cast(null as bigint) as view_number,
        cast(null as timestamp with time zone) as viewed_at,
        reward_issues.event_at as reward_issued_at
    from core.int_sessionized_events_this_run as reward_issues
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issues.reward_id
    where reward_issues.source = 'http_log'
        and reward_issues.event_type = 'reward_issue'
),

-- each campaign once per session: where it was first viewed (user_event_number orders by time, then input position;
-- null when only a reward of it was issued), and when a reward of it was last issued
session_campaigns as (
    select
        user_id,
        session_number,
        campaign_id,
        min(view_number) as first_view_number,
        min(viewed_at) as first_viewed_at,
        max(reward_issued_at) as last_reward_issued_at
    from campaign_touches
    group by user_id, session_number, campaign_id
),

-- a reward is driven when a campaign containing it (per the mapping) was viewed in the same session at or before an
-- issue of it ("at" means the same timestamp, whatever the line order). Some view at or before some issue is the same
-- as the campaign's first view at or before the last issue of any of its rewards, so one row per campaign decides.
campaign_lists as (
    select
        user_id,
        session_number,
        coalesce(listagg(case when first_view_number is not null then campaign_id end, ',') within group (order by first_view_number), '') as campaigns,
        max(case when first_viewed_at <= last_reward_issued_at then 1 else 0 end) as driven_flag
    from session_campaigns
    group by user_id, session_number
),

-- each reward once per session, where it was first issued
reward_first_issues as (
    select
        user_id,
        session_number,
        reward_id,
        min(user_event_number) as first_issue_number
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'reward_issue'
    group by user_id, session_number, reward_id
),

reward_lists as (
    select
        user_id,
        session_number,
        coalesce(listagg(reward_id, ',') within group (order by first_issue_number), '') as rewards_issued
    from reward_first_issues
    group by user_id, session_number
),

final as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.session_number,
        sessions.session_start,
        sessions.session_end,
        -- cast to the declared type: the refresher attaches the rows it writes to a table of that type
        cast(coalesce(campaign_lists.campaigns, '') as varchar(65535)) as campaigns,
        cast(coalesce(reward_lists.rewards_issued, '') as varchar(65535)) as rewards_issued,
        case when campaign_lists.driven_flag = 1 then true else false end as reward_driven_by_campaign_view,
        sessions.refresh_id,
        sessions.user_bucket
    from sessions
    left join campaign_lists
        on campaign_lists.user_id = sessions.user_id
        and campaign_lists.session_number = sessions.session_number
    left join reward_lists
        on reward_lists.user_id = sessions.user_id
        and reward_lists.session_number = sessions.session_number
)

select * from final;

comment on view core.int_http_sessions_summarized is 'Per HTTP-log session written by the current refresh: campaign and reward lists and the reward-driven flag; the refresher materialises it into core.fct_http_sessions.';

-- R__34_core_int_campaign_rewards_attributed.sql (checksum <scrubbed>)
-- core.int_campaign_rewards_attributed: per reward issued in an HTTP-log session the current refresh (re)wrote, the
-- campaign that drove it. The refresher materialises it into core.fct_campaign_reward_attribution, which
-- marts.campaign_reward_attribution reads.
--
-- The rule is campaign_performance's reward_driven_by_campaign_view at reward grain: a campaign drove a reward when the
-- campaign contains the reward (staging.campaign_reward_mapping) and was viewed in the same session at or before the
-- issue. When several did, the one viewed last before the issue wins (last touch; equal times: the smaller campaign id,
-- so the answer is stable), and claiming_campaigns says how many could claim it. None did: campaign_id is null.
--
-- The refresh rewrites whole sessions, and the rule looks only inside a session, so the rows of this run's events are
-- complete. The events are read in each CTE that needs them rather than through one import CTE: PostgreSQL would
-- materialise a CTE read twice (a copy of every campaign view and reward issue of the bucket).

drop view if exists core.int_campaign_rewards_attributed cascade;

create view core.int_campaign_rewards_attributed as
with

campaign_reward_mapping as (
    select distinct campaign_id, reward_id from staging.campaign_reward_mapping
),

reward_issues as (
    select
        user_id,
        session_number,
        reward_id,
        event_at as issued_at,
        user_event_number,
        refresh_id,
        user_bucket
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'reward_issue'
),

campaign_views as (
    select
        user_id,
        session_number,
        campaign_id,
        event_at as viewed_at
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'campaign_view'
),

-- every campaign that could claim an issue, with its last view at or before it
claims as (
    select
        reward_issues.user_id,
        reward_issues.user_event_number,
        campaign_views.campaign_id,
        max(campaign_views.viewed_at) as viewed_at
    from reward_issues
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issues.reward_id
    inner join campaign_views
        on campaign_views.user_id = reward_issues.user_id
        and campaign_views.session_number = reward_issues.session_number
        and campaign_views.campaign_id = campaign_reward_mapping.campaign_id
        and campaign_views.viewed_at <= reward_issues.issued_at
    group by
        reward_issues.user_id,
        reward_issues.user_event_number,
        campaign_views.campaign_id
),

ranked_claims as (
    select
        claims.*,
        row_number() over (
            partition by user_id, user_event_number
            order by viewed_at desc, campaign_id
        ) as claim_rank,
        count(*) over (
            partition by user_id, user_event_number
        ) as claiming_campaigns
    from claims
),

final as (
    select
        reward_issues.user_id,
        reward_issues.session_number,
        reward_issues.reward_id,
        reward_issues.issued_at,
        ranked_claims.campaign_id,
        ranked_claims.viewed_at as campaign_viewed_at,
        cast(coalesce(ranked_claims.claiming_campaigns, 0) as bigint) as claiming_campaigns,
        reward_issues.user_event_number,
        reward_issues.refresh_id,
        reward_issues.user_bucket
    from reward_issues
    left join ranked_claims
        on ranked_claims.user_id = reward_issues.user_id
        and ranked_claims.user_event_number = reward_issues.user_event_number
        and ranked_claims.claim_rank = 1
)

select * from final;

comment on view core.int_campaign_rewards_attributed is 'Per reward issued in an HTTP-log session written by the current refresh: the campaign that drove it (last campaign containing the reward viewed in the session at or before the issue); the refresher materialises it into core.fct_campaign_reward_attribution.';

-- R__34_core_int_campaign_views_summarized.sql (checksum <scrubbed>)
-- core.int_campaign_views_summarized: per HTTP-log session the current refresh (re)wrote, each campaign it viewed and
-- UTC day of those views: the views, and the rewards issued in the whole session. The refresher materialises it into
-- core.fct_campaign_session_views; marts.campaign_daily sums it per campaign and day.
--
-- Kept per session, not per day: a campaign's viewers of a day are distinct users over sessions, which does not add up
-- across refreshes, while a session's rows are rewritten whole whenever the session changes. The events are read in
-- each CTE that needs them rather than through one import CTE: PostgreSQL would materialise a CTE read twice.

drop view if exists core.int_campaign_views_summarized cascade;

create view core.int_campaign_views_summarized as
with

campaign_views as (
    select
        user_id,
        session_number,
        campaign_id,
        cast(event_at at time zone 'UTC' as date) as view_date,
        refresh_id,
        user_bucket
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'campaign_view'
),

rewards_per_session as (
    select
        user_id,
        session_number,
        count(*) as rewards_issued
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'reward_issue'
    group by user_id, session_number
),

session_campaign_days as (
    select
        user_id,
        session_number,
        campaign_id,
        view_date,
        refresh_id,
        user_bucket,
        count(*) as views
    from campaign_views
    group by user_id, session_number, campaign_id, view_date, refresh_id, user_bucket
),

final as (
    select
        session_campaign_days.user_id,
        session_campaign_days.session_number,
        session_campaign_days.campaign_id,
        session_campaign_days.view_date,
        cast(session_campaign_days.views as bigint) as views,
        cast(coalesce(rewards_per_session.rewards_issued, 0) as bigint) as rewards_issued,
        session_campaign_days.refresh_id,
        session_campaign_days.user_bucket
    from session_campaign_days
    left join rewards_per_session
        on rewards_per_session.user_id = session_campaign_days.user_id
        and rewards_per_session.session_number = session_campaign_days.session_number
)

select * from final;

comment on view core.int_campaign_views_summarized is 'Per HTTP-log session written by the current refresh, campaign viewed and UTC day: views and the rewards issued in the session; the refresher materialises it into core.fct_campaign_session_views.';

-- R__35_core_http_session_lists.sql (checksum <scrubbed>)
-- core.http_session_lists: the campaigns viewed and rewards issued in each HTTP-log session, as ordered lists, as of
-- the last refresh. Built by core.int_http_sessions_summarized (where the dialect-specific list aggregates live) and
-- materialised in core.fct_http_sessions.

drop view if exists core.http_session_lists cascade;

create view core.http_session_lists as
with

fct_http_sessions as (
    select * from core.fct_http_sessions
),

final as (
    select
        session_id,
        campaigns,
        rewards_issued
    from fct_http_sessions
)

select * from final;

comment on view core.http_session_lists is 'Per HTTP-log session: campaigns viewed and rewards issued, distinct, in order of first occurrence. Grain: session_id. Arrays in PostgreSQL, comma-separated VARCHAR on Redshift.';
comment on column core.http_session_lists.session_id is 'The session (core.sessions.session_id).';
comment on column core.http_session_lists.campaigns is 'Distinct campaign ids of GET /campaigns/{id} requests in the session, in order of first view; empty when none (on Redshift comma-separated, empty string when none).';
comment on column core.http_session_lists.rewards_issued is 'Distinct reward ids of POST /rewards/{id} requests in the session, in order of first issue; empty when none (on Redshift comma-separated, empty string when none).';

-- R__36_core_int_group_keys.sql (checksum <scrubbed>)
-- core.int_group_keys: the family keys the by-key session marts group sessions by, one row each. Its own model so the
-- refresher can build the by-key mart one key at a time (a key per job) from the same list the rule reads.

drop view if exists core.int_group_keys cascade;

create view core.int_group_keys as
select cast('browser_family' as varchar(32)) as group_key
union all
select cast('os_family' as varchar(32)) as group_key
union all
select cast('device_family' as varchar(32)) as group_key;

comment on view core.int_group_keys is 'The family keys of marts.daily_sessions_by_key and marts.sessions_by_key: browser_family, os_family, device_family.';

-- R__36_core_int_sessions_keyed.sql (checksum <scrubbed>)
-- core.int_sessions_keyed: every session once per family key, with that key's family (the family of the session's first
-- event; null without a user agent). The input of core.int_daily_sessions_by_key, which reads it twice.

drop view if exists core.int_sessions_keyed cascade;

create view core.int_sessions_keyed as
-- No import CTEs, and a view rather than a CTE of the daily model: PostgreSQL merges it into the query reading it, so a
-- filter on group_key (the refresher builds each key on a connection of its own) leaves one key's rows to sort, and
-- the sessions are read where they lie instead of copied into a CTE first.
select
    sessions.session_date,
    sessions.source,
    group_keys.group_key,
    case group_keys.group_key
        when 'browser_family' then sessions.browser_family
        when 'os_family' then sessions.os_family
        else sessions.device_family
    end as group_value,
    sessions.user_id,
    sessions.event_count,
    sessions.duration_seconds
from core.int_sessions_refreshed as sessions
cross join core.int_group_keys as group_keys;

comment on view core.int_sessions_keyed is 'Every session of core.int_sessions_refreshed once per family key of core.int_group_keys, with its family under that key.';

-- R__37_core_access_log_sessions.sql (checksum <scrubbed>)
-- core.access_log_sessions: one row per access_log session (bots are never sessionized) with its landing page and
-- traffic source, as of the last refresh. The marts traffic_sources and landing_pages are groupings of it.
--
-- Rules:
--   landing page: the session's first page view (core.int_access_log_requests: no asset, 2xx/3xx); a session of assets
--                 or errors only has none, and no channel (a hotlinked image is not a visit).
--   channel:      campaign when the landing page's query string has utm_source, utm_medium or utm_campaign (a tagged
--                 link says where the visitor came from better than the referrer, so it wins over it); else the landing
--                 page's referrer channel: direct, internal, search, social or referral.
-- The sessions and their events are the refresher's materialised rows; the landing page's query string and referrer
-- are joined back from the request, found by load, file and line as core.sessionized_events does.

drop view if exists core.access_log_sessions cascade;

create view core.access_log_sessions as
with

fct_sessions as (
    select * from core.fct_sessions
    where source = 'access_log'
),

page_views as (
    select * from core.fct_sessionized_events
    where source = 'access_log'
        and event_type = 'page_view'
),

requests as (
    select * from core.int_access_log_requests
),

-- one sort of the page views gives both each session's first one and its count
page_views_numbered as (
    select
        user_id,
        session_number,
        load_id,
        source_file,
        source_line,
        row_number() over (
            partition by user_id, session_number
            order by user_event_number
        ) as page_view_number,
        count(*) over (
            partition by user_id, session_number
        ) as page_views
    from page_views
),

landing_views as (
    select * from page_views_numbered
    where page_view_number = 1
),

landing_requests as (
    select
        landing_views.user_id,
        landing_views.session_number,
        landing_views.page_views,
        requests.path,
        requests.query_string,
        requests.referrer_host,
        requests.referrer_name,
        requests.referrer_channel,
        requests.utm_source,
        requests.utm_medium,
        requests.utm_campaign
    from landing_views
    inner join requests
        on coalesce(requests.load_id, 0) = coalesce(landing_views.load_id, 0)
        and requests.source_file = landing_views.source_file
        and requests.source_line = landing_views.source_line
),

final as (
    select
        fct_sessions.session_id,
        fct_sessions.user_id,
        fct_sessions.session_number,
        fct_sessions.session_start,
        cast(fct_sessions.session_start at time zone 'UTC' as date) as session_date,
        fct_sessions.session_end,
        fct_sessions.duration_seconds,
        fct_sessions.event_count,
        cast(coalesce(landing_requests.page_views, 0) as bigint) as page_views,
        landing_requests.path as landing_page,
        landing_requests.query_string as landing_query_string,
        cast(
            case
                when landing_requests.path is null then null
                when landing_requests.utm_source is not null
                    or landing_requests.utm_medium is not null
                    or landing_requests.utm_campaign is not null then 'campaign'
                else landing_requests.referrer_channel
            end
            as varchar(16)
        ) as channel,
        landing_requests.referrer_host as referring_domain,
        landing_requests.referrer_name,
        landing_requests.utm_source,
        landing_requests.utm_medium,
        landing_requests.utm_campaign
    from fct_sessions
    left join landing_requests
        on landing_requests.user_id = fct_sessions.user_id
        and landing_requests.session_number = fct_sessions.session_number
)

select * from final;

comment on view core.access_log_sessions is 'One row per access_log session with its landing page (first page view) and traffic channel, as of the last refresh. Grain: session_id.';
comment on column core.access_log_sessions.session_id is 'The session (core.sessions.session_id).';
comment on column core.access_log_sessions.user_id is 'The authenticated user, else the visitor key.';
comment on column core.access_log_sessions.session_number is '1-based number of the session among the user''s sessions.';
comment on column core.access_log_sessions.session_start is 'Time of the session''s first request, UTC.';
comment on column core.access_log_sessions.session_date is 'UTC calendar day of session_start.';
comment on column core.access_log_sessions.session_end is 'Time of the session''s last request, UTC.';
comment on column core.access_log_sessions.duration_seconds is 'session_end - session_start in seconds, assets and errors included.';
comment on column core.access_log_sessions.event_count is 'Requests in the session: page views, assets, errors.';
comment on column core.access_log_sessions.page_views is 'Page views in the session; 0 for a session of assets or errors only.';
comment on column core.access_log_sessions.landing_page is 'Path (without query string) of the session''s first page view; null when it has none.';
comment on column core.access_log_sessions.landing_query_string is 'Query string of the landing page request; null when none.';
comment on column core.access_log_sessions.channel is 'campaign (UTM fields on the landing page), else the landing page''s referrer channel: direct, internal, search, social or referral; null without a page view.';
comment on column core.access_log_sessions.referring_domain is 'Referrer host of the landing page request; null without a referrer.';
comment on column core.access_log_sessions.referrer_name is 'Search engine or social network of the referring domain; null for others.';
comment on column core.access_log_sessions.utm_source is 'utm_source of the landing page''s query string; null when absent.';
comment on column core.access_log_sessions.utm_medium is 'utm_medium of the landing page''s query string; null when absent.';
comment on column core.access_log_sessions.utm_campaign is 'utm_campaign of the landing page''s query string; null when absent.';

-- R__38_core_int_daily_sessions.sql (checksum <scrubbed>)
-- core.int_daily_sessions: per source and UTC day of session start, sessions, users, events and median duration. The
-- rule of marts.daily_sessions; the refresher materialises it into core.fct_daily_sessions for the days it touched.

drop view if exists core.int_daily_sessions cascade;

create view core.int_daily_sessions as
with

-- core.int_sessions_refreshed is named in both CTEs below rather than imported once: PostgreSQL materialises a CTE read
-- twice, which copied every session and kept the refresher's filter on source and day from reaching the scan
daily_totals as (
    select
        source,
        session_date,
        count(*) as sessions,
        count(distinct user_id) as users,
        cast(sum(event_count) as bigint) as events
    from core.int_sessions_refreshed
    group by source, session_date
),

-- separate from the counts: Redshift rejects PERCENTILE_CONT together with a DISTINCT aggregate in one SELECT
daily_medians as (
    select
        source,
        session_date,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from core.int_sessions_refreshed
    group by source, session_date
),

final as (
    select
        daily_totals.source,
        daily_totals.session_date,
        daily_totals.sessions,
        daily_totals.users,
        daily_totals.events,
        cast(daily_medians.median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from daily_totals
    inner join daily_medians
        on daily_medians.source = daily_totals.source
        and daily_medians.session_date = daily_totals.session_date
)

select * from final;

comment on view core.int_daily_sessions is 'Rule of marts.daily_sessions over core.int_sessions_refreshed; materialised by the refresher into core.fct_daily_sessions.';

-- R__39_core_int_daily_sessions_by_key.sql (checksum <scrubbed>)
-- core.int_daily_sessions_by_key: per UTC day of session start, source and browser / OS / device family, sessions,
-- users, events and median duration. The rule of marts.sessions_by_key with the day added: a session counts under the
-- family of its first event, and a null family (no user agent, or a source without one) is its own group, so each
-- group_key's sessions of a day add up to the source's sessions that day. The refresher materialises it into
-- core.fct_daily_sessions_by_key for the days it touched.

drop view if exists core.int_daily_sessions_by_key cascade;

create view core.int_daily_sessions_by_key as
with

-- each session once per key (core.int_sessions_keyed), named in both CTEs below rather than imported once: PostgreSQL
-- materialises a CTE read twice, which copied every session three times and kept a filter on group_key from the scan
daily_totals as (
    select
        session_date,
        source,
        group_key,
        group_value,
        count(*) as sessions,
        count(distinct user_id) as users,
        cast(sum(event_count) as bigint) as events
    from core.int_sessions_keyed
    group by session_date, source, group_key, group_value
),

-- separate from the counts: Redshift rejects PERCENTILE_CONT together with a DISTINCT aggregate in one SELECT
daily_medians as (
    select
        session_date,
        source,
        group_key,
        group_value,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from core.int_sessions_keyed
    group by session_date, source, group_key, group_value
),

final as (
    select
        daily_totals.session_date,
        daily_totals.source,
        daily_totals.group_key,
        daily_totals.group_value,
        daily_totals.sessions,
        daily_totals.users,
        daily_totals.events,
        cast(daily_medians.median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from daily_totals
    inner join daily_medians
        on daily_medians.session_date = daily_totals.session_date
        and daily_medians.source = daily_totals.source
        and daily_medians.group_key = daily_totals.group_key
        -- a null family is a group of its own: it meets the null group of the same day, source and key
        and (
            daily_medians.group_value = daily_totals.group_value
            or (daily_medians.group_value is null and daily_totals.group_value is null)
        )
)

select * from final;

comment on view core.int_daily_sessions_by_key is 'Rule of marts.daily_sessions_by_key over core.int_sessions_refreshed; materialised by the refresher into core.fct_daily_sessions_by_key.';

-- R__40_marts_campaign_performance.sql (checksum <scrubbed>)
-- marts.campaign_performance: one row per HTTP-log session with the campaigns viewed, the rewards issued, and whether
-- a reward was driven by a campaign view. A time frame is a filter on session_start (sessions starting in [from, to)).
-- The per-session work (lists, the driven flag) is materialised by the refresher in core.fct_http_sessions
-- (logic: core.int_http_sessions_summarized) with the session's start and end, so reading this view reads one table.

drop view if exists marts.campaign_performance;

create view marts.campaign_performance as
with

fct_http_sessions as (
    select * from core.fct_http_sessions
),

final as (
    select
        user_id,
        session_start,
        session_end,
        campaigns,
        rewards_issued,
        reward_driven_by_campaign_view
    from fct_http_sessions
)

select * from final;

comment on view marts.campaign_performance is 'One row per HTTP-log session (5-minute gap by default): campaigns viewed, rewards issued, and whether a campaign view drove a reward. Grain: user_id, session_start.';
comment on column marts.campaign_performance.user_id is 'The user of the session, as written in the log.';
comment on column marts.campaign_performance.session_start is 'Time of the session''s first request, UTC. Filter on it for a time frame [from, to).';
comment on column marts.campaign_performance.session_end is 'Time of the session''s last request, UTC.';
comment on column marts.campaign_performance.campaigns is 'Distinct campaign ids viewed with GET /campaigns/{id}, in order of first view; empty when none.';
comment on column marts.campaign_performance.rewards_issued is 'Distinct reward ids issued with POST /rewards/{id}, in order of first issue; empty when none.';
comment on column marts.campaign_performance.reward_driven_by_campaign_view is 'True when some reward issued in the session belongs (per campaign_reward_mapping) to a campaign viewed in the same session at or before the issue.';

-- tests:
--   unique: user_id, session_start
--   not_null: user_id, session_start, session_end, campaigns, rewards_issued, reward_driven_by_campaign_view
--   relationships: user_id, session_start -> core.sessions(user_id, session_start)
--   expression: session_start <= session_end

-- R__41_marts_order_journeys.sql (checksum <scrubbed>)
-- marts.order_journeys: one row per order, with the visits and the time a webshop customer needed before it. An order
-- is an order session (a session with a placed_order event); its journey is the customer's sessions since the previous
-- order session (or since the first session), not counting the order session itself. Orders in sessions 7 and 8 of
-- one customer give 6 and 0 visits. At this grain a median over any time frame is exact: "median minutes before an
-- order last month" is a percentile_cont over where order_date between ... (medians of days cannot be combined).

-- cascade: marts.order_metrics and marts.order_metrics_daily read it; the runner re-applies every later repeatable
drop view if exists marts.order_journeys cascade;

create view marts.order_journeys as
with

sessions as (
    -- materialised sessions (core.fct_sessions, as core.sessions plus has_placed_order). No anonymous webshop events:
    -- they have no customer.
    select * from core.fct_sessions
    where source = 'webshop_events'
),

sessions_flagged as (
    select
        user_id,
        session_id,
        session_number,
        session_start,
        duration_seconds,
        case when has_placed_order then 1 else 0 end as is_order_session
    from sessions
),

-- the number of order sessions strictly before each session: an order session and the sessions leading up to it
-- (after the previous order session) share it, so one GROUP BY collects them without a correlated subquery
sessions_grouped as (
    select
        sessions_flagged.*,
        sum(is_order_session) over (
            partition by user_id
            order by session_number
            rows between unbounded preceding and current row
        ) - is_order_session as orders_before
    from sessions_flagged
),

orders as (
    select
        user_id,
        -- the group's one order session is its last
        max(case when is_order_session = 1 then session_id end) as session_id,
        max(case when is_order_session = 1 then session_start end) as order_session_start,
        sum(1 - is_order_session) as visits_before_order,
        sum(case when is_order_session = 0 then duration_seconds else 0 end) as seconds_before_order
    from sessions_grouped
    group by user_id, orders_before
    -- sessions after a customer's last order session form a group without an order: not an order
    having max(is_order_session) = 1
),

final as (
    select
        user_id,
        session_id,
        order_session_start,
        cast(order_session_start at time zone 'UTC' as date) as order_date,
        cast(visits_before_order as bigint) as visits_before_order,
        -- double precision: what percentile_cont computes in, so a median over it is the median of the exact minutes
        cast(seconds_before_order / 60.0 as double precision) as minutes_before_order
    from orders
)

select * from final;

comment on view marts.order_journeys is 'One row per order session (a webshop session with a placed_order event) of every customer: the visits and minutes before it. Grain: session_id.';
comment on column marts.order_journeys.user_id is 'The customer.';
comment on column marts.order_journeys.session_id is 'The order session (core.sessions.session_id).';
comment on column marts.order_journeys.order_session_start is 'When the order session started, UTC.';
comment on column marts.order_journeys.order_date is 'UTC day on which the order session started. A time frame is where order_date between ... and ....';
comment on column marts.order_journeys.visits_before_order is 'The customer''s sessions between the previous order session (or the first session) and this one, this one not counted.';
comment on column marts.order_journeys.minutes_before_order is 'The summed durations of those sessions, in minutes (seconds / 60).';

-- tests:
--   unique: session_id
--   not_null: user_id, session_id, order_session_start, order_date, visits_before_order, minutes_before_order
--   relationships: session_id -> core.sessions(session_id)
--   expression: visits_before_order >= 0 and minutes_before_order >= 0

-- R__41_marts_order_metrics.sql (checksum <scrubbed>)
-- marts.order_metrics: how many visits, and how much time in them, a webshop customer needs before ordering: the
-- medians over every order of marts.order_journeys. A time frame is marts.order_metrics_daily or, exact for any range,
-- a median over marts.order_journeys.

drop view if exists marts.order_metrics;

create view marts.order_metrics as
with

-- the order rule is marts.order_journeys': one row per order
orders as (
    select * from marts.order_journeys
),

-- one median per SELECT: Redshift requires every ordered aggregate of a SELECT to share the same ORDER BY
median_visits as (
    select
        percentile_cont(0.5) within group (order by visits_before_order) as median_visits_before_order
    from orders
),

median_minutes as (
    select
        percentile_cont(0.5) within group (order by minutes_before_order) as median_session_duration_minutes_before_order
    from orders
),

final as (
    select
        cast(median_visits.median_visits_before_order as decimal(18, 6)) as median_visits_before_order,
        cast(median_minutes.median_session_duration_minutes_before_order as decimal(18, 6))
            as median_session_duration_minutes_before_order
    from median_visits
    cross join median_minutes
)

select * from final;

comment on view marts.order_metrics is 'One row: medians over all order sessions (webshop sessions with a placed_order event) of all customers; anonymous events left out. Null when there is no order.';
comment on column marts.order_metrics.median_visits_before_order is 'Median number of the customer''s sessions between the previous order session (or the first session) and the order session, the order session not counted.';
comment on column marts.order_metrics.median_session_duration_minutes_before_order is 'Median of the summed durations of those sessions, in minutes (seconds / 60).';

-- tests:
--   expression: median_visits_before_order >= 0
--   expression: median_session_duration_minutes_before_order >= 0

-- R__41_marts_order_metrics_daily.sql (checksum <scrubbed>)
-- marts.order_metrics_daily: marts.order_metrics per UTC day of the order session's start. A day's medians are exact for
-- that day; a longer frame needs the median over marts.order_journeys (medians of days cannot be combined).

drop view if exists marts.order_metrics_daily;

create view marts.order_metrics_daily as
with

orders as (
    select * from marts.order_journeys
),

-- one median per SELECT: Redshift requires every ordered aggregate of a SELECT to share the same ORDER BY
daily_visits as (
    select
        order_date,
        count(*) as orders,
        percentile_cont(0.5) within group (order by visits_before_order) as median_visits_before_order
    from orders
    group by order_date
),

daily_minutes as (
    select
        order_date,
        percentile_cont(0.5) within group (order by minutes_before_order) as median_minutes_before_order
    from orders
    group by order_date
),

final as (
    select
        daily_visits.order_date,
        cast(daily_visits.orders as bigint) as orders,
        cast(daily_visits.median_visits_before_order as decimal(18, 6)) as median_visits_before_order,
        cast(daily_minutes.median_minutes_before_order as decimal(18, 6)) as median_minutes_before_order
    from daily_visits
    inner join daily_minutes
        on daily_minutes.order_date = daily_visits.order_date
)

select * from final;

comment on view marts.order_metrics_daily is 'Per UTC day of order session start: orders and the medians of marts.order_metrics over that day''s orders. Grain: order_date.';
comment on column marts.order_metrics_daily.order_date is 'UTC day on which the order sessions started.';
comment on column marts.order_metrics_daily.orders is 'Order sessions starting that day.';
comment on column marts.order_metrics_daily.median_visits_before_order is 'Median of marts.order_journeys.visits_before_order over the day''s orders.';
comment on column marts.order_metrics_daily.median_minutes_before_order is 'Median of marts.order_journeys.minutes_before_order over the day''s orders.';

-- tests:
--   unique: order_date
--   not_null: order_date, orders, median_visits_before_order, median_minutes_before_order
--   expression: orders > 0 and median_visits_before_order >= 0 and median_minutes_before_order >= 0

-- R__42_marts_sessions_by_key.sql (checksum <scrubbed>)
-- marts.sessions_by_key: sessions per source and browser / OS / device family, counted by the family of the
-- session's first event. A null family (no user agent, or a source without one such as http_log) is its own group,
-- so each group_key's sessions add up to the source's sessions.

drop view if exists marts.sessions_by_key;

create view marts.sessions_by_key as
with

-- the family rule is core.int_daily_sessions_by_key's, materialised per day by the refresh: a session starts on one
-- day, so its sessions summed over the days are the sessions of each family
fct_daily_sessions_by_key as (
    select * from core.fct_daily_sessions_by_key
),

final as (
    select
        source,
        group_key,
        group_value,
        cast(sum(sessions) as bigint) as sessions
    from fct_daily_sessions_by_key
    group by source, group_key, group_value
)

select * from final;

comment on view marts.sessions_by_key is 'Sessions per source and family value, by the family of each session''s first event. Grain: source, group_key, group_value.';
comment on column marts.sessions_by_key.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column marts.sessions_by_key.group_key is 'browser_family, os_family or device_family.';
comment on column marts.sessions_by_key.group_value is 'The family value of the session''s first event; null when it has none.';
comment on column marts.sessions_by_key.sessions is 'Sessions whose first event has this value.';

-- tests:
--   unique: source, group_key, group_value
--   not_null: source, group_key, sessions
--   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
--   accepted_values: group_key in (browser_family, os_family, device_family)

-- R__43_marts_daily_sessions.sql (checksum <scrubbed>)
-- marts.daily_sessions: per source and UTC day of the session start, sessions, users, events and median duration.

drop view if exists marts.daily_sessions;

create view marts.daily_sessions as
with

-- materialised by the refresh (rule: core.int_daily_sessions), so a read is a scan of a few rows per day and source
fct_daily_sessions as (
    select * from core.fct_daily_sessions
),

final as (
    select
        source,
        session_date,
        sessions,
        users,
        events,
        median_duration_seconds
    from fct_daily_sessions
)

select * from final;

comment on view marts.daily_sessions is 'Per source and UTC day of session start: sessions, distinct users, events and median session duration. Grain: source, session_date.';
comment on column marts.daily_sessions.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column marts.daily_sessions.session_date is 'UTC calendar day on which the sessions started.';
comment on column marts.daily_sessions.sessions is 'Sessions starting that day.';
comment on column marts.daily_sessions.users is 'Distinct users with a session starting that day.';
comment on column marts.daily_sessions.events is 'Events in those sessions (including any after midnight).';
comment on column marts.daily_sessions.median_duration_seconds is 'Median session duration in seconds (percentile_cont(0.5)).';

-- tests:
--   unique: source, session_date
--   not_null: source, session_date, sessions, users, events, median_duration_seconds
--   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
--   expression: users <= sessions and sessions <= events
--   expression: median_duration_seconds >= 0

-- R__44_marts_traffic_sources.sql (checksum <scrubbed>)
-- marts.traffic_sources: access_log sessions per UTC day of their start and traffic channel, with the referring
-- domain and the UTM fields of the landing page. The channel rule (campaign wins over the referrer) lives in
-- core.access_log_sessions; sessions without a page view have no landing page and are not counted.

drop view if exists marts.traffic_sources;

create view marts.traffic_sources as
with

access_log_sessions as (
    select * from core.access_log_sessions
    where channel is not null
),

final as (
    select
        session_date,
        channel,
        referring_domain,
        utm_source,
        utm_medium,
        utm_campaign,
        count(*) as sessions,
        cast(sum(page_views) as bigint) as page_views
    from access_log_sessions
    group by session_date, channel, referring_domain, utm_source, utm_medium, utm_campaign
)

select * from final;

comment on view marts.traffic_sources is 'access_log sessions with a page view, per UTC day of session start, channel, referring domain and UTM fields. Grain: session_date, channel, referring_domain, utm_source, utm_medium, utm_campaign (nulls as values).';
comment on column marts.traffic_sources.session_date is 'UTC calendar day on which the sessions started.';
comment on column marts.traffic_sources.channel is 'campaign (utm_source, utm_medium or utm_campaign on the landing page; wins over the referrer), direct (no referrer), internal (referrer on the site''s own host), search, social (core.referrer_host_patterns) or referral (any other referrer).';
comment on column marts.traffic_sources.referring_domain is 'Referrer host of the landing page request, lower case; null without a referrer.';
comment on column marts.traffic_sources.utm_source is 'utm_source of the landing page''s query string, as logged; null when absent.';
comment on column marts.traffic_sources.utm_medium is 'utm_medium of the landing page''s query string, as logged; null when absent.';
comment on column marts.traffic_sources.utm_campaign is 'utm_campaign of the landing page''s query string, as logged; null when absent.';
comment on column marts.traffic_sources.sessions is 'Sessions starting that day from this source.';
comment on column marts.traffic_sources.page_views is 'Page views in those sessions.';

-- tests:
--   unique: session_date, channel, referring_domain, utm_source, utm_medium, utm_campaign
--   not_null: session_date, channel, sessions, page_views
--   accepted_values: channel in (campaign, direct, internal, search, social, referral)

-- R__45_marts_landing_pages.sql (checksum <scrubbed>)
-- marts.landing_pages: per landing page (the first page view of an access_log session): sessions, bounces and bounce
-- rate (a bounce is a session with one page view; its assets do not count), pages per session and the median session
-- duration. Built from core.access_log_sessions.

drop view if exists marts.landing_pages;

create view marts.landing_pages as
with

access_log_sessions as (
    select * from core.access_log_sessions
    where landing_page is not null
),

landing_page_totals as (
    select
        landing_page,
        count(*) as sessions,
        sum(case when page_views = 1 then 1 else 0 end) as bounces,
        sum(page_views) as page_views,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds
    from access_log_sessions
    group by landing_page
),

final as (
    select
        landing_page,
        sessions,
        cast(bounces as bigint) as bounces,
        cast(cast(bounces as decimal(18, 6)) / sessions as decimal(18, 6)) as bounce_rate,
        cast(cast(page_views as decimal(18, 6)) / sessions as decimal(18, 6)) as pages_per_session,
        cast(median_duration_seconds as decimal(18, 6)) as median_duration_seconds
    from landing_page_totals
)

select * from final;

comment on view marts.landing_pages is 'Per landing page (path of the first page view of an access_log session): sessions, bounces, bounce rate, pages per session, median session duration. Grain: landing_page.';
comment on column marts.landing_pages.landing_page is 'Request path without its query string.';
comment on column marts.landing_pages.sessions is 'Sessions that landed on this page.';
comment on column marts.landing_pages.bounces is 'Of those, sessions with exactly one page view (assets and errors not counted).';
comment on column marts.landing_pages.bounce_rate is 'bounces / sessions.';
comment on column marts.landing_pages.pages_per_session is 'Page views of those sessions / sessions.';
comment on column marts.landing_pages.median_duration_seconds is 'Median duration of those sessions in seconds (first to last request, assets included; percentile_cont(0.5)).';

-- tests:
--   unique: landing_page
--   not_null: landing_page, sessions, bounces, bounce_rate, pages_per_session, median_duration_seconds
--   expression: bounces <= sessions

-- R__46_marts_http_status_daily.sql (checksum <scrubbed>)
-- marts.http_status_daily: every access_log request, bots included (this is where their share shows), per UTC day and
-- status class (1xx .. 5xx, core.int_access_log_requests).

drop view if exists marts.http_status_daily;

create view marts.http_status_daily as
with

requests as (
    select * from core.int_access_log_requests
),

requests_flagged as (
    select
        cast(event_at at time zone 'UTC' as date) as request_date,
        status_class,
        case when is_bot then 1 else 0 end as is_bot_request
    from requests
),

daily_totals as (
    select
        request_date,
        status_class,
        count(*) as requests,
        cast(sum(is_bot_request) as bigint) as bot_requests
    from requests_flagged
    group by request_date, status_class
),

final as (
    select
        request_date,
        status_class,
        requests,
        bot_requests,
        cast(cast(bot_requests as decimal(18, 6)) / requests as decimal(18, 6)) as bot_share
    from daily_totals
)

select * from final;

comment on view marts.http_status_daily is 'access_log requests, bots included, per UTC day and status class, with the bots'' share. Grain: request_date, status_class.';
comment on column marts.http_status_daily.request_date is 'UTC calendar day of the requests.';
comment on column marts.http_status_daily.status_class is '1xx, 2xx, 3xx, 4xx or 5xx by the status''s first digit; other outside 100-599.';
comment on column marts.http_status_daily.requests is 'Requests that day with a status of this class, bots included.';
comment on column marts.http_status_daily.bot_requests is 'Of those, requests of bots (agent in core.bot_agent_patterns or a visitor that fetched /robots.txt).';
comment on column marts.http_status_daily.bot_share is 'bot_requests / requests.';

-- tests:
--   unique: request_date, status_class
--   not_null: request_date, status_class, requests, bot_requests, bot_share
--   accepted_values: status_class in (1xx, 2xx, 3xx, 4xx, 5xx, other)
--   expression: bot_requests <= requests

-- R__47_marts_campaign_reward_attribution.sql (checksum <scrubbed>)
-- marts.campaign_reward_attribution: one row per reward issued in an HTTP-log session, with the campaign that drove it.
-- The rule (last campaign containing the reward viewed in the session at or before the issue) is
-- core.int_campaign_rewards_attributed; the refresher materialises it into core.fct_campaign_reward_attribution, so a
-- read of one campaign is an index scan of its rows instead of an attribution of every reward issued.

-- cascade: marts.campaign_daily read it before issue 19; the runner re-applies every later repeatable after this one runs
drop view if exists marts.campaign_reward_attribution cascade;

create view marts.campaign_reward_attribution as
with

fct_campaign_reward_attribution as (
    select * from core.fct_campaign_reward_attribution
),

final as (
    select
        user_id,
        cast('http_log' || ':' || user_id || ':' || cast(session_number as varchar(20)) as varchar(320)) as session_id,
        reward_id,
        issued_at,
        campaign_id,
        campaign_viewed_at,
        claiming_campaigns,
        user_event_number
    from fct_campaign_reward_attribution
)

select * from final;

comment on view marts.campaign_reward_attribution is 'One row per reward issued in an HTTP-log session, with the campaign that drove it (last campaign containing the reward viewed in the session at or before the issue). Grain: user_id, user_event_number.';
comment on column marts.campaign_reward_attribution.user_id is 'The user, as written in the log.';
comment on column marts.campaign_reward_attribution.session_id is 'The session (core.sessions.session_id): http_log:<user_id>:<session number>.';
comment on column marts.campaign_reward_attribution.reward_id is 'The reward issued with POST /rewards/{id}.';
comment on column marts.campaign_reward_attribution.issued_at is 'When the reward was issued, UTC. Filter on it for a time frame.';
comment on column marts.campaign_reward_attribution.campaign_id is 'The campaign that drove the reward: contains it per the mapping and was viewed last in the session at or before the issue; null when none was.';
comment on column marts.campaign_reward_attribution.campaign_viewed_at is 'When that campaign was last viewed before the issue, UTC; null when no campaign drove the reward.';
comment on column marts.campaign_reward_attribution.claiming_campaigns is 'How many campaigns could claim the reward (contain it and were viewed in the session at or before the issue); 0 when none.';
comment on column marts.campaign_reward_attribution.user_event_number is 'The issue''s place among the user''s events (core.sessionized_events.user_event_number): with user_id, the key.';

-- tests:
--   unique: user_id, user_event_number
--   not_null: user_id, session_id, reward_id, issued_at, claiming_campaigns, user_event_number
--   relationships: session_id -> core.sessions(session_id)
--   relationships: campaign_id, reward_id -> staging.campaign_reward_mapping(campaign_id, reward_id)
--   expression: campaign_viewed_at <= issued_at

-- R__48_marts_campaign_daily.sql (checksum <scrubbed>)
-- marts.campaign_daily: per campaign and UTC day of its views, how it was seen and what it drove. A time frame of
-- "campaign performance" is a where day between ... on it. Rewards issued counts every reward issued in the sessions
-- that viewed the campaign that day; rewards driven counts those marts.campaign_reward_attribution credits to the
-- campaign, on the day of the view that drove them, so the rate compares driven rewards with the views of the same day.
--
-- Both inputs are kept by the refresh per session (core.int_campaign_views_summarized and
-- core.int_campaign_rewards_attributed), indexed on campaign_id: a read of one campaign sums that campaign's rows only.
-- The sums are taken on read rather than kept per day because a day's distinct viewers do not add up across refreshes.

drop view if exists marts.campaign_daily;

create view marts.campaign_daily as
with

fct_campaign_session_views as (
    select * from core.fct_campaign_session_views
),

fct_campaign_reward_attribution as (
    select * from core.fct_campaign_reward_attribution
    where campaign_id is not null
),

-- one row per session, campaign and day in the input, so sessions are rows and viewers distinct users
seen as (
    select
        campaign_id,
        view_date as day,
        count(*) as sessions_with_view,
        sum(views) as views,
        count(distinct user_id) as viewers,
        sum(rewards_issued) as rewards_issued
    from fct_campaign_session_views
    group by campaign_id, view_date
),

driven as (
    select
        campaign_id,
        cast(campaign_viewed_at at time zone 'UTC' as date) as day,
        count(*) as rewards_driven
    from fct_campaign_reward_attribution
    group by campaign_id, cast(campaign_viewed_at at time zone 'UTC' as date)
),

final as (
    select
        seen.campaign_id,
        seen.day,
        cast(seen.sessions_with_view as bigint) as sessions_with_view,
        cast(seen.views as bigint) as views,
        cast(seen.viewers as bigint) as viewers,
        cast(seen.rewards_issued as bigint) as rewards_issued,
        cast(coalesce(driven.rewards_driven, 0) as bigint) as rewards_driven,
        cast(cast(coalesce(driven.rewards_driven, 0) as decimal(18, 4)) / seen.views as decimal(9, 4)) as view_to_driven_reward_rate
    from seen
    left join driven
        on driven.campaign_id = seen.campaign_id
        and driven.day = seen.day
)

select * from final;

comment on view marts.campaign_daily is 'Per campaign and UTC day of its views: sessions and users that viewed it, rewards issued in those sessions and rewards it drove. Grain: campaign_id, day.';
comment on column marts.campaign_daily.campaign_id is 'The campaign viewed with GET /campaigns/{id}.';
comment on column marts.campaign_daily.day is 'UTC date of the views. A time frame is where day between ... and ....';
comment on column marts.campaign_daily.sessions_with_view is 'HTTP-log sessions with at least one view of the campaign that day.';
comment on column marts.campaign_daily.views is 'Views of the campaign that day (every GET /campaigns/{id}, repeats included).';
comment on column marts.campaign_daily.viewers is 'Distinct users who viewed the campaign that day.';
comment on column marts.campaign_daily.rewards_issued is 'Rewards issued (any reward) in the sessions that viewed the campaign that day.';
comment on column marts.campaign_daily.rewards_driven is 'Rewards marts.campaign_reward_attribution credits to the campaign, counted on the day of the view that drove them.';
comment on column marts.campaign_daily.view_to_driven_reward_rate is 'rewards_driven / views, to 4 decimals.';

-- tests:
--   unique: campaign_id, day
--   not_null: campaign_id, day, sessions_with_view, views, viewers, rewards_issued, rewards_driven, view_to_driven_reward_rate
--   expression: viewers <= sessions_with_view and sessions_with_view <= views

-- R__49_marts_daily_sessions_by_key.sql (checksum <scrubbed>)
-- marts.daily_sessions_by_key: per UTC day of session start, source and browser / OS / device family, sessions, users,
-- events and median duration: the grain of marts.sessions_by_key plus the day. "Sessions by browser per day" is a
-- where group_key = 'browser_family' on it.

drop view if exists marts.daily_sessions_by_key;

create view marts.daily_sessions_by_key as
with

-- materialised by the refresh (rule: core.int_daily_sessions_by_key)
fct_daily_sessions_by_key as (
    select * from core.fct_daily_sessions_by_key
),

final as (
    select
        session_date,
        source,
        group_key,
        group_value,
        sessions,
        users,
        events,
        median_duration_seconds
    from fct_daily_sessions_by_key
)

select * from final;

comment on view marts.daily_sessions_by_key is 'Per UTC day of session start, source and family value (by the family of each session''s first event): sessions, distinct users, events and median duration. Grain: session_date, source, group_key, group_value.';
comment on column marts.daily_sessions_by_key.session_date is 'UTC calendar day on which the sessions started. A time frame is where session_date between ... and ....';
comment on column marts.daily_sessions_by_key.source is 'http_log, webshop_events, device_events, clickstream or access_log.';
comment on column marts.daily_sessions_by_key.group_key is 'browser_family, os_family or device_family.';
comment on column marts.daily_sessions_by_key.group_value is 'The family value of the session''s first event; null when it has none (its own group).';
comment on column marts.daily_sessions_by_key.sessions is 'Sessions starting that day whose first event has this value; summed over a key''s values, the source''s sessions that day.';
comment on column marts.daily_sessions_by_key.users is 'Distinct users with such a session that day (not additive over days or values).';
comment on column marts.daily_sessions_by_key.events is 'Events in those sessions (including any after midnight).';
comment on column marts.daily_sessions_by_key.median_duration_seconds is 'Median duration of those sessions in seconds (percentile_cont(0.5)).';

-- tests:
--   unique: session_date, source, group_key, group_value
--   not_null: session_date, source, group_key, sessions, users, events, median_duration_seconds
--   accepted_values: source in (http_log, webshop_events, device_events, clickstream, access_log)
--   accepted_values: group_key in (browser_family, os_family, device_family)
--   expression: users <= sessions and sessions <= events and median_duration_seconds >= 0

-- dry run: 56 script(s) would be applied; nothing was changed

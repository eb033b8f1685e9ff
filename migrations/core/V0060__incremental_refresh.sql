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

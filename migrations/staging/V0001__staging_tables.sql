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

create table staging.http_log (
    event_at timestamptz not null,
    method varchar(16) not null,
    path varchar(4096) not null,
    user_id varchar(256) not null,
    source_file varchar(1024) not null,
    source_line bigint not null
);

comment on table staging.http_log is 'HTTP access log requests (models/http_log.avsc), one row per loaded log line.';
comment on column staging.http_log.event_at is 'When the request was made, UTC.';
comment on column staging.http_log.method is 'HTTP method, e.g. GET or POST.';
comment on column staging.http_log.path is 'Request path as logged, e.g. /campaigns/12 or /rewards/1529.';
comment on column staging.http_log.user_id is 'The user who made the request, as written in the log.';
comment on column staging.http_log.source_file is 'Raw file name the row came from, without directories.';
comment on column staging.http_log.source_line is '1-based line number in the raw file.';

create table staging.webshop_events (
    event_id bigint not null,
    event_type varchar(64) not null,
    event_at timestamptz not null,
    customer_id varchar(256),
    user_agent varchar(4096),
    ip varchar(64),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    properties varchar(65535),
    source_file varchar(1024) not null,
    source_line bigint not null
);

comment on table staging.webshop_events is 'Webshop events (models/webshop_events.avsc), one row per loaded JSON line.';
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

create table staging.device_events (
    anonymous_id varchar(256) not null,
    event_at timestamptz not null,
    name varchar(256),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    source_file varchar(1024) not null,
    source_line bigint not null
);

comment on table staging.device_events is 'Device events (models/device_events.avsc), one row per loaded JSON line.';
comment on column staging.device_events.anonymous_id is 'The anonymous device user id.';
comment on column staging.device_events.event_at is 'device_sent_timestamp (epoch milliseconds) as a UTC timestamp.';
comment on column staging.device_events.name is 'Event name, e.g. screen_view; null when the line has none.';
comment on column staging.device_events.browser_family is 'Browser family as sent by the device.';
comment on column staging.device_events.os_family is 'Operating system family as sent by the device.';
comment on column staging.device_events.device_family is 'Device family as sent by the device.';
comment on column staging.device_events.source_file is 'Raw file name the row came from, without directories.';
comment on column staging.device_events.source_line is '1-based line number in the raw file.';

create table staging.clickstream (
    user_id varchar(256) not null,
    event_at timestamptz not null,
    product_id varchar(256),
    ip varchar(64),
    user_agent varchar(4096),
    browser_family varchar(256),
    os_family varchar(256),
    device_family varchar(256),
    source_file varchar(1024) not null,
    source_line bigint not null
);

comment on table staging.clickstream is 'Clickstream CSV rows (models/clickstream.avsc), one row per loaded data line.';
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
);

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

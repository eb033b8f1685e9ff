-- The fifth source, access_log: Apache/nginx access logs in the combined or common format (models/access_log.avsc),
-- one row per loaded log line. Columns exactly as the Avro record, plus the load it came in with.

create table staging.access_log (
    client_address varchar(256) not null,
    ident varchar(256),
    auth_user varchar(256),
    event_at timestamptz not null,
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
);

comment on table staging.access_log is 'Apache/nginx access log requests (models/access_log.avsc, formats combined and common), one row per loaded log line; bots included.';
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

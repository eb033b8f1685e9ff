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

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

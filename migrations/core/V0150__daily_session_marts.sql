-- The daily session marts, materialised (issue 19). marts.daily_sessions and marts.daily_sessions_by_key aggregate
-- every session and were slow to read at scale; the refresh now writes their rows here,
-- from the rule models core.int_daily_sessions and core.int_daily_sessions_by_key, and the marts are views over these
-- tables (marts.sessions_by_key sums the second over days).
--
-- An incremental refresh rewrites the days from the earliest session day it wrote on, per source, in its transaction. A
-- full refresh builds new tables from the buckets' sessions before its publish and swaps them in as the tables' only
-- (default) partition in the publish transaction, so readers see the marts of the sessions they see.

create table core.fct_daily_sessions (
    source varchar(32) not null,
    session_date date not null,
    sessions bigint not null,
    users bigint not null,
    events bigint not null,
    median_duration_seconds decimal(18, 6)
) partition by list (source);

create table core.fct_daily_sessions_by_key (
    session_date date not null,
    source varchar(32) not null,
    group_key varchar(32) not null,
    group_value varchar(256),
    sessions bigint not null,
    users bigint not null,
    events bigint not null,
    median_duration_seconds decimal(18, 6)
) partition by list (source);

create table core.fct_daily_sessions_all partition of core.fct_daily_sessions default;
create table core.fct_daily_sessions_by_key_all partition of core.fct_daily_sessions_by_key default;

comment on table core.fct_daily_sessions is 'Materialised core.int_daily_sessions: per source and UTC day of session start. Read it through marts.daily_sessions. One default partition, swapped whole by a full refresh.';
comment on table core.fct_daily_sessions_by_key is 'Materialised core.int_daily_sessions_by_key: per UTC day, source and family value. Read it through marts.daily_sessions_by_key. One default partition, swapped whole by a full refresh.';

-- the tables start empty: the next refresh is a full one and fills them
update core.refresh_state set loaded_through_load_id = -1;

-- core.int_sessions_refreshed: every session as the running refresh leaves it, with its UTC day. Refresh machinery: the
-- daily mart models read it and stay plain aggregates. A full refresh in buckets builds those marts after its buckets
-- commit and before it publishes them, so there the sessions are the this_run tables (setting warehouse.refresh_full);
-- otherwise (an incremental refresh, Redshift, an analyst) they are the live table.

drop view if exists core.int_sessions_refreshed cascade;

create view core.int_sessions_refreshed as
-- No import CTEs: PostgreSQL cannot merge a view that has a WITH clause into the query reading it, and a filter on
-- source or day would not reach the scan.
-- The columns, with the UTC day of every daily session mart, are ModelVariables' sessions_refreshed_columns.
select ${sessions_refreshed_columns}
from core.fct_sessions_this_run
where (select is_full from core.int_refresh_scope) and (select bucket from core.int_refresh_scope) is null
union all
select ${sessions_refreshed_columns}
from core.fct_sessions
where not ((select is_full from core.int_refresh_scope) and (select bucket from core.int_refresh_scope) is null);

comment on view core.int_sessions_refreshed is 'Refresh machinery: every session with its UTC session_date, from core.fct_sessions_this_run while a full refresh builds the daily marts before publishing (warehouse.refresh_full on, no bucket), else from core.fct_sessions.';

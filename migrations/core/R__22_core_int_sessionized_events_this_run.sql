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

-- core.int_sessionized_events_this_run: the sessionized events the current refresh wrote (whole sessions), of the user
-- buckets the running statement builds. Refresh machinery: the session and HTTP summary models read their events here.
-- A view rather than a CTE so each reader inlines it: PostgreSQL materialises a CTE read more than once.

drop view if exists core.int_sessionized_events_this_run cascade;

create view core.int_sessionized_events_this_run as
with

refresh_scope as (
    select * from core.int_refresh_scope
),

fct_sessionized_events_this_run as (
    select * from core.fct_sessionized_events_this_run
),

final as (
    select *
    from fct_sessionized_events_this_run
    -- a range over the partition key: a bucket's connection reads only its own partition
    where user_bucket between (select first_bucket from refresh_scope) and (select last_bucket from refresh_scope)
)

select * from final;

comment on view core.int_sessionized_events_this_run is 'Refresh machinery: core.fct_sessionized_events_this_run restricted to the buckets in core.int_refresh_scope.';

-- core.int_sessions_this_run: the sessions the current refresh wrote, of the user bucket the running statement builds.
-- Refresh machinery, the twin of core.int_sessionized_events_this_run; the HTTP summary model reads its sessions here.

drop view if exists core.int_sessions_this_run cascade;

create view core.int_sessions_this_run as
with

refresh_scope as (
    select * from core.int_refresh_scope
),

-- a bucket's connection in a full refresh reads its own partition only (see core.int_sessionized_events_this_run)
bucket_sessions as (
    select * from core.fct_sessions_this_run
    where user_bucket = (select bucket from refresh_scope)
),

all_sessions as (
    select * from core.fct_sessions_this_run
    where (select bucket from refresh_scope) is null
),

final as (
    select * from bucket_sessions
    union all
    select * from all_sessions
)

select * from final;

comment on view core.int_sessions_this_run is 'Refresh machinery: core.fct_sessions_this_run restricted to the bucket in core.int_refresh_scope (all of it when none is set).';

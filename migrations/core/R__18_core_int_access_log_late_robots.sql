-- core.int_access_log_late_robots: access_log visitors who fetched /robots.txt in a load the last refresh did not take
-- in, while sessions of theirs are materialised. Refresh machinery: a robots.txt fetch makes every request of its
-- visitor a bot's (core.int_access_log_requests), the earlier ones too, and an incremental refresh only rebuilds from
-- a user's new events on; so when this view has a row the refresher rebuilds the source, as it does when the mapping
-- changes. A crawler that names itself is a bot by its agent from its first request and never lands here.

drop view if exists core.int_access_log_late_robots cascade;

create view core.int_access_log_late_robots as
with

refresh_state as (
    select * from core.refresh_state
    where source = 'access_log'
        and loaded_through_load_id >= 0
),

robots_fetches as (
    select * from core.int_access_log_requests_parsed
    where is_robots_fetch
),

fct_sessions as (
    select * from core.fct_sessions
    where source = 'access_log'
),

-- rows without a load_id (loaded before loads were numbered) count as load 0
new_robots_visitors as (
    select distinct robots_fetches.user_id
    from robots_fetches
    inner join refresh_state
        on coalesce(robots_fetches.load_id, 0) > refresh_state.loaded_through_load_id
),

final as (
    select new_robots_visitors.user_id
    from new_robots_visitors
    where exists (
        select 1
        from fct_sessions
        where fct_sessions.user_id = new_robots_visitors.user_id
    )
)

select * from final;

comment on view core.int_access_log_late_robots is 'Refresh machinery: access_log users with a /robots.txt fetch loaded after the last refresh and sessions already materialised; any row makes the refresher rebuild access_log. Grain: user_id.';
comment on column core.int_access_log_late_robots.user_id is 'The visitor (core.int_access_log_requests_parsed.user_id).';

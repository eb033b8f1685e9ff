-- core.http_session_lists: the campaigns viewed and rewards issued in each HTTP-log session, as ordered lists.
--
-- DIALECT POINT: this view is the one place where PostgreSQL and Redshift SQL differ. PostgreSQL builds the lists
-- with array_agg(... order by ...) and array_remove; Redshift builds them with
-- LISTAGG(...) WITHIN GROUP (ORDER BY ...) in a variant of this file. Nothing else in migrations/ uses arrays.
-- The two lists are aggregated in separate CTEs: Redshift rejects ordered aggregates with different ORDER BYs in
-- one SELECT.

drop view if exists core.http_session_lists cascade;

create view core.http_session_lists as
with

http_events as (
    select * from core.sessionized_events
    where source = 'http_log'
),

-- distinct ids, each placed at its first view / first issue (user_event_number orders by time, then input position).
-- Grouped over all of the session's events, not only views: a session without views keeps one group with a null id,
-- so every session gets a row, and the list aggregate leaves the null out.
campaign_first_views as (
    select
        session_id,
        campaign_id,
        min(user_event_number) as first_view_number
    from http_events
    group by session_id, campaign_id
),

reward_first_issues as (
    select
        session_id,
        reward_id,
        min(user_event_number) as first_issue_number
    from http_events
    group by session_id, reward_id
),

campaign_lists as (
    select
        session_id,
        -- dialect: PostgreSQL array; array_remove drops the null group's entry (LISTAGG ignores nulls by itself)
        array_remove(array_agg(campaign_id order by first_view_number), null) as campaigns
    from campaign_first_views
    group by session_id
),

reward_lists as (
    select
        session_id,
        -- dialect: PostgreSQL array, as above
        array_remove(array_agg(reward_id order by first_issue_number), null) as rewards_issued
    from reward_first_issues
    group by session_id
),

final as (
    select
        campaign_lists.session_id,
        campaign_lists.campaigns,
        reward_lists.rewards_issued
    from campaign_lists
    inner join reward_lists
        on reward_lists.session_id = campaign_lists.session_id
)

select * from final;

comment on view core.http_session_lists is 'Per HTTP-log session: campaigns viewed and rewards issued, distinct, in order of first occurrence. Grain: session_id. The only dialect-specific view (arrays here, LISTAGG on Redshift).';
comment on column core.http_session_lists.session_id is 'The session (core.sessions.session_id).';
comment on column core.http_session_lists.campaigns is 'Distinct campaign ids of GET /campaigns/{id} requests in the session, in order of first view; empty when none.';
comment on column core.http_session_lists.rewards_issued is 'Distinct reward ids of POST /rewards/{id} requests in the session, in order of first issue; empty when none.';

-- core.int_http_sessions_summarized: per HTTP-log session the current refresh (re)wrote, the campaigns viewed and
-- rewards issued as ordered lists, and whether a campaign view drove a reward. The refresher materialises it into
-- core.fct_http_sessions; marts.campaign_performance and core.http_session_lists read that table.
--
-- DIALECT POINT: the lists are the one place where PostgreSQL and Redshift SQL differ: the ordered_list variable
-- (id, n) is array_remove(array_agg(id order by n), null) on PostgreSQL and a LISTAGG string on Redshift
-- (runner/Warehouse.Core/Portability/Dialect.cs).
-- Grouped by (user_id, session_number), not by the text session_id: the id starts with the constant 'http_log:', so
-- sorts on it cannot use abbreviated keys and every comparison walks the whole string.
-- The two lists are aggregated in separate CTEs: Redshift rejects ordered aggregates with different ORDER BYs in
-- one SELECT.

drop view if exists core.int_http_sessions_summarized cascade;

create view core.int_http_sessions_summarized as
with

refresh_state as (
    select * from core.refresh_state
),

http_events as (
    select * from core.fct_sessionized_events
    where source = 'http_log'
        and refresh_id = (select max(refresh_id) from refresh_state)
),

campaign_reward_mapping as (
    select * from staging.campaign_reward_mapping
),

-- distinct ids, each placed at its first view / first issue (user_event_number orders by time, then input position).
-- Grouped over all of the session's events, not only views: a session without views keeps one group with a null id,
-- so every session gets a row, and the list aggregate leaves the null out.
campaign_first_views as (
    select
        user_id,
        session_number,
        campaign_id,
        min(user_event_number) as first_view_number
    from http_events
    group by user_id, session_number, campaign_id
),

reward_first_issues as (
    select
        user_id,
        session_number,
        reward_id,
        min(user_event_number) as first_issue_number
    from http_events
    group by user_id, session_number, reward_id
),

campaign_lists as (
    select
        user_id,
        session_number,
        -- the null group's entry (a session without views) is left out of the list
        ${ordered_list(campaign_id, first_view_number)} as campaigns
    from campaign_first_views
    group by user_id, session_number
),

reward_lists as (
    select
        user_id,
        session_number,
        ${ordered_list(reward_id, first_issue_number)} as rewards_issued
    from reward_first_issues
    group by user_id, session_number
),

campaign_views as (
    select
        user_id,
        session_number,
        campaign_id,
        event_at as viewed_at
    from http_events
    where event_type = 'campaign_view'
),

reward_issues as (
    select
        user_id,
        session_number,
        reward_id,
        event_at as issued_at
    from http_events
    where event_type = 'reward_issue'
),

-- a reward is driven when a campaign containing it (per the mapping) was viewed in the same session at or before the
-- issue; "at" means the same timestamp, whatever the line order
driven_sessions as (
    select distinct
        reward_issues.user_id,
        reward_issues.session_number
    from reward_issues
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issues.reward_id
    inner join campaign_views
        on campaign_views.user_id = reward_issues.user_id
        and campaign_views.session_number = reward_issues.session_number
        and campaign_views.campaign_id = campaign_reward_mapping.campaign_id
    where campaign_views.viewed_at <= reward_issues.issued_at
),

sessions as (
    select
        user_id,
        session_number,
        max(session_id) as session_id,
        max(refresh_id) as refresh_id
    from http_events
    group by user_id, session_number
),

final as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.session_number,
        campaign_lists.campaigns,
        reward_lists.rewards_issued,
        case when driven_sessions.user_id is not null then true else false end as reward_driven_by_campaign_view,
        sessions.refresh_id
    from sessions
    inner join campaign_lists
        on campaign_lists.user_id = sessions.user_id
        and campaign_lists.session_number = sessions.session_number
    inner join reward_lists
        on reward_lists.user_id = sessions.user_id
        and reward_lists.session_number = sessions.session_number
    left join driven_sessions
        on driven_sessions.user_id = sessions.user_id
        and driven_sessions.session_number = sessions.session_number
)

select * from final;

comment on view core.int_http_sessions_summarized is 'Per HTTP-log session written by the current refresh: campaign and reward lists and the reward-driven flag; the refresher materialises it into core.fct_http_sessions.';

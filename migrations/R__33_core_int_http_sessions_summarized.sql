-- core.int_http_sessions_summarized: per HTTP-log session the current refresh (re)wrote, the campaigns viewed and
-- rewards issued as ordered lists, and whether a campaign view drove a reward. The refresher materialises it into
-- core.fct_http_sessions; marts.campaign_performance and core.http_session_lists read that table.
--
-- DIALECT POINT: the lists are the one place where PostgreSQL and Redshift SQL differ: the ordered_list variable
-- (id, n) is array_remove(array_agg(id order by n), null) on PostgreSQL and a LISTAGG string on Redshift, and
-- empty_list, the list of a session without any, is an empty array on PostgreSQL and an empty string on Redshift
-- (runner/Warehouse.Core/Portability/Dialect.cs).
--
-- Shape, for speed at millions of events: the sessions come from core.fct_sessions (already one row each), and the
-- events are read only where they matter, the campaign views and the reward issues, each reduced first to one row per
-- (session, id). The events table is named in both of those CTEs rather than imported once: PostgreSQL materialises
-- a CTE read twice, and copying millions of rows costs more than a second scan. Keys are (user_id, session_number),
-- never the text session_id: that id starts with the constant 'http_log:', so sorts on it cannot use abbreviated keys.
-- The two lists are aggregated in separate CTEs: Redshift rejects ordered aggregates with different ORDER BYs in
-- one SELECT.

drop view if exists core.int_http_sessions_summarized cascade;

create view core.int_http_sessions_summarized as
with

refresh_state as (
    select * from core.refresh_state
),

-- the sessions the current refresh wrote (it rewrites whole sessions): each gets a row, with or without views
sessions as (
    select * from core.fct_sessions
    where source = 'http_log'
        and refresh_id = (select max(refresh_id) from refresh_state)
),

campaign_reward_mapping as (
    select * from staging.campaign_reward_mapping
),

-- each campaign once per session: where it was first viewed (user_event_number orders by time, then input position)
campaign_first_views as (
    select
        user_id,
        session_number,
        campaign_id,
        min(user_event_number) as first_view_number,
        min(event_at) as first_viewed_at
    from core.fct_sessionized_events
    where source = 'http_log'
        and event_type = 'campaign_view'
        and refresh_id = (select max(refresh_id) from refresh_state)
    group by user_id, session_number, campaign_id
),

-- each reward once per session: where it was first issued, and when it was last issued
reward_issue_spans as (
    select
        user_id,
        session_number,
        reward_id,
        min(user_event_number) as first_issue_number,
        max(event_at) as last_issued_at
    from core.fct_sessionized_events
    where source = 'http_log'
        and event_type = 'reward_issue'
        and refresh_id = (select max(refresh_id) from refresh_state)
    group by user_id, session_number, reward_id
),

campaign_lists as (
    select
        user_id,
        session_number,
        ${ordered_list(campaign_id, first_view_number)} as campaigns
    from campaign_first_views
    group by user_id, session_number
),

reward_lists as (
    select
        user_id,
        session_number,
        ${ordered_list(reward_id, first_issue_number)} as rewards_issued
    from reward_issue_spans
    group by user_id, session_number
),

-- a reward is driven when a campaign containing it (per the mapping) was viewed in the same session at or before an
-- issue of it ("at" means the same timestamp, whatever the line order). Some view at or before some issue is the same
-- as the campaign's first view at or before the reward's last issue, so one row per id on each side is enough.
driven_sessions as (
    select distinct
        reward_issue_spans.user_id,
        reward_issue_spans.session_number
    from reward_issue_spans
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issue_spans.reward_id
    inner join campaign_first_views
        on campaign_first_views.user_id = reward_issue_spans.user_id
        and campaign_first_views.session_number = reward_issue_spans.session_number
        and campaign_first_views.campaign_id = campaign_reward_mapping.campaign_id
    where campaign_first_views.first_viewed_at <= reward_issue_spans.last_issued_at
),

final as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.session_number,
        sessions.session_start,
        sessions.session_end,
        coalesce(campaign_lists.campaigns, ${empty_list}) as campaigns,
        coalesce(reward_lists.rewards_issued, ${empty_list}) as rewards_issued,
        case when driven_sessions.user_id is not null then true else false end as reward_driven_by_campaign_view,
        sessions.refresh_id
    from sessions
    left join campaign_lists
        on campaign_lists.user_id = sessions.user_id
        and campaign_lists.session_number = sessions.session_number
    left join reward_lists
        on reward_lists.user_id = sessions.user_id
        and reward_lists.session_number = sessions.session_number
    left join driven_sessions
        on driven_sessions.user_id = sessions.user_id
        and driven_sessions.session_number = sessions.session_number
)

select * from final;

comment on view core.int_http_sessions_summarized is 'Per HTTP-log session written by the current refresh: campaign and reward lists and the reward-driven flag; the refresher materialises it into core.fct_http_sessions.';

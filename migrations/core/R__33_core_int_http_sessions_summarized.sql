-- core.int_http_sessions_summarized: per HTTP-log session the current refresh (re)wrote, the campaigns viewed and
-- rewards issued as ordered lists, and whether a campaign view drove a reward. The refresher materialises it into
-- core.fct_http_sessions; marts.campaign_performance and core.http_session_lists read that table.
--
-- DIALECT POINT: the lists are the one place where PostgreSQL and Redshift SQL differ: the ordered_list variable
-- (id, n) is array_remove(array_agg(id order by n), null) on PostgreSQL and a LISTAGG string on Redshift (both skip
-- null ids), and empty_list, the list of a session without any, is an empty array on PostgreSQL and an empty string on
-- Redshift (runner/Warehouse.Core/Portability/Dialect.cs).
--
-- Shape, for speed at millions of events: the sessions come from core.fct_sessions (already one row each), and the
-- events are read only where they matter, the campaign views and the reward issues. Every CTE is read once, so
-- PostgreSQL inlines it and each grouping reads its input in the order the grouping before it produced: the campaign
-- side is one sort of the views and mapped issues, the reward side one sort of the issues (a CTE read twice is
-- materialised, and its order is forgotten, so the views would be sorted again for each reader). Keys are
-- (user_id, session_number), never the text session_id: that id starts with the constant 'http_log:', so sorts on it
-- cannot use abbreviated keys. The two lists are aggregated in separate CTEs: Redshift rejects ordered aggregates with
-- different ORDER BYs in one SELECT.

drop view if exists core.int_http_sessions_summarized cascade;

create view core.int_http_sessions_summarized as
with

-- the sessions the current refresh wrote (it rewrites whole sessions), of the bucket the running statement builds:
-- each gets a row, with or without views
sessions as (
    select * from core.int_sessions_this_run
    where source = 'http_log'
),

campaign_reward_mapping as (
    select * from staging.campaign_reward_mapping
),

-- what a session did with each campaign: viewed it (with the view's position and time), or was issued a reward of it
-- per the mapping (with the issue's time). One row per view and one per (issue, mapped campaign).
campaign_touches as (
    select
        user_id,
        session_number,
        campaign_id,
        user_event_number as view_number,
        event_at as viewed_at,
        cast(null as timestamp with time zone) as reward_issued_at
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'campaign_view'

    union all

    select
        reward_issues.user_id,
        reward_issues.session_number,
        campaign_reward_mapping.campaign_id,
        cast(null as bigint) as view_number,
        cast(null as timestamp with time zone) as viewed_at,
        reward_issues.event_at as reward_issued_at
    from core.int_sessionized_events_this_run as reward_issues
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issues.reward_id
    where reward_issues.source = 'http_log'
        and reward_issues.event_type = 'reward_issue'
),

-- each campaign once per session: where it was first viewed (user_event_number orders by time, then input position;
-- null when only a reward of it was issued), and when a reward of it was last issued
session_campaigns as (
    select
        user_id,
        session_number,
        campaign_id,
        min(view_number) as first_view_number,
        min(viewed_at) as first_viewed_at,
        max(reward_issued_at) as last_reward_issued_at
    from campaign_touches
    group by user_id, session_number, campaign_id
),

-- a reward is driven when a campaign containing it (per the mapping) was viewed in the same session at or before an
-- issue of it ("at" means the same timestamp, whatever the line order). Some view at or before some issue is the same
-- as the campaign's first view at or before the last issue of any of its rewards, so one row per campaign decides.
campaign_lists as (
    select
        user_id,
        session_number,
        ${ordered_list(case when first_view_number is not null then campaign_id end, first_view_number)} as campaigns,
        max(case when first_viewed_at <= last_reward_issued_at then 1 else 0 end) as driven_flag
    from session_campaigns
    group by user_id, session_number
),

-- each reward once per session, where it was first issued
reward_first_issues as (
    select
        user_id,
        session_number,
        reward_id,
        min(user_event_number) as first_issue_number
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'reward_issue'
    group by user_id, session_number, reward_id
),

reward_lists as (
    select
        user_id,
        session_number,
        ${ordered_list(reward_id, first_issue_number)} as rewards_issued
    from reward_first_issues
    group by user_id, session_number
),

final as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.session_number,
        sessions.session_start,
        sessions.session_end,
        -- cast to the declared type: the refresher attaches the rows it writes to a table of that type
        cast(coalesce(campaign_lists.campaigns, ${empty_list}) as ${list_type}) as campaigns,
        cast(coalesce(reward_lists.rewards_issued, ${empty_list}) as ${list_type}) as rewards_issued,
        case when campaign_lists.driven_flag = 1 then true else false end as reward_driven_by_campaign_view,
        sessions.refresh_id,
        sessions.user_bucket
    from sessions
    left join campaign_lists
        on campaign_lists.user_id = sessions.user_id
        and campaign_lists.session_number = sessions.session_number
    left join reward_lists
        on reward_lists.user_id = sessions.user_id
        and reward_lists.session_number = sessions.session_number
)

select * from final;

comment on view core.int_http_sessions_summarized is 'Per HTTP-log session written by the current refresh: campaign and reward lists and the reward-driven flag; the refresher materialises it into core.fct_http_sessions.';

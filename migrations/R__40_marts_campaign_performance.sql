-- marts.campaign_performance: one row per HTTP-log session with the campaigns viewed, the rewards issued, and whether
-- a reward was driven by a campaign view. A time frame is a filter on session_start (sessions starting in [from, to)).

drop view if exists marts.campaign_performance;

create view marts.campaign_performance as
with

sessions as (
    select * from core.sessions
    where source = 'http_log'
),

http_session_lists as (
    select * from core.http_session_lists
),

http_events as (
    select * from core.sessionized_events
    where source = 'http_log'
),

campaign_reward_mapping as (
    select * from staging.campaign_reward_mapping
),

campaign_views as (
    select
        session_id,
        campaign_id,
        event_at as viewed_at
    from http_events
    where event_type = 'campaign_view'
),

reward_issues as (
    select
        session_id,
        reward_id,
        event_at as issued_at
    from http_events
    where event_type = 'reward_issue'
),

-- a reward is driven when a campaign containing it (per the mapping) was viewed in the same session at or before the
-- issue; "at" means the same timestamp, whatever the line order
driven_sessions as (
    select distinct
        reward_issues.session_id
    from reward_issues
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issues.reward_id
    inner join campaign_views
        on campaign_views.session_id = reward_issues.session_id
        and campaign_views.campaign_id = campaign_reward_mapping.campaign_id
    where campaign_views.viewed_at <= reward_issues.issued_at
),

final as (
    select
        sessions.user_id,
        sessions.session_start,
        sessions.session_end,
        http_session_lists.campaigns,
        http_session_lists.rewards_issued,
        case when driven_sessions.session_id is not null then true else false end as reward_driven_by_campaign_view
    from sessions
    inner join http_session_lists
        on http_session_lists.session_id = sessions.session_id
    left join driven_sessions
        on driven_sessions.session_id = sessions.session_id
)

select * from final;

comment on view marts.campaign_performance is 'One row per HTTP-log session (5-minute gap by default): campaigns viewed, rewards issued, and whether a campaign view drove a reward. Grain: user_id, session_start.';
comment on column marts.campaign_performance.user_id is 'The user of the session, as written in the log.';
comment on column marts.campaign_performance.session_start is 'Time of the session''s first request, UTC. Filter on it for a time frame [from, to).';
comment on column marts.campaign_performance.session_end is 'Time of the session''s last request, UTC.';
comment on column marts.campaign_performance.campaigns is 'Distinct campaign ids viewed with GET /campaigns/{id}, in order of first view; empty when none.';
comment on column marts.campaign_performance.rewards_issued is 'Distinct reward ids issued with POST /rewards/{id}, in order of first issue; empty when none.';
comment on column marts.campaign_performance.reward_driven_by_campaign_view is 'True when some reward issued in the session belongs (per campaign_reward_mapping) to a campaign viewed in the same session at or before the issue.';

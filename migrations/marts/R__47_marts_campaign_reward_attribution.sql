-- marts.campaign_reward_attribution: one row per reward issued in an HTTP-log session, with the campaign that drove it.
-- The rule is campaign_performance's reward_driven_by_campaign_view at reward grain: a campaign drove a reward when the
-- campaign contains the reward (staging.campaign_reward_mapping) and was viewed in the same session at or before the
-- issue. When several did, the one viewed last before the issue wins (last touch; equal times: the smaller campaign id,
-- so the answer is stable), and claiming_campaigns says how many could claim it. None did: campaign_id is null.

-- cascade: marts.campaign_daily reads it; the runner re-applies every later repeatable after this one runs
drop view if exists marts.campaign_reward_attribution cascade;

create view marts.campaign_reward_attribution as
with

fct_sessionized_events as (
    select * from core.fct_sessionized_events
    where source = 'http_log' and event_type in ('campaign_view', 'reward_issue')
),

campaign_reward_mapping as (
    select distinct campaign_id, reward_id from staging.campaign_reward_mapping
),

reward_issues as (
    select
        user_id,
        session_number,
        reward_id,
        event_at as issued_at,
        user_event_number
    from fct_sessionized_events
    where event_type = 'reward_issue'
),

campaign_views as (
    select
        user_id,
        session_number,
        campaign_id,
        event_at as viewed_at
    from fct_sessionized_events
    where event_type = 'campaign_view'
),

-- every campaign that could claim an issue, with its last view at or before it
claims as (
    select
        reward_issues.user_id,
        reward_issues.user_event_number,
        campaign_views.campaign_id,
        max(campaign_views.viewed_at) as viewed_at
    from reward_issues
    inner join campaign_reward_mapping
        on campaign_reward_mapping.reward_id = reward_issues.reward_id
    inner join campaign_views
        on campaign_views.user_id = reward_issues.user_id
        and campaign_views.session_number = reward_issues.session_number
        and campaign_views.campaign_id = campaign_reward_mapping.campaign_id
        and campaign_views.viewed_at <= reward_issues.issued_at
    group by
        reward_issues.user_id,
        reward_issues.user_event_number,
        campaign_views.campaign_id
),

ranked_claims as (
    select
        claims.*,
        row_number() over (
            partition by user_id, user_event_number
            order by viewed_at desc, campaign_id
        ) as claim_rank,
        count(*) over (
            partition by user_id, user_event_number
        ) as claiming_campaigns
    from claims
),

final as (
    select
        reward_issues.user_id,
        ${session_id('http_log', reward_issues.user_id, reward_issues.session_number)} as session_id,
        reward_issues.reward_id,
        reward_issues.issued_at,
        ranked_claims.campaign_id,
        ranked_claims.viewed_at as campaign_viewed_at,
        cast(coalesce(ranked_claims.claiming_campaigns, 0) as bigint) as claiming_campaigns,
        reward_issues.user_event_number
    from reward_issues
    left join ranked_claims
        on ranked_claims.user_id = reward_issues.user_id
        and ranked_claims.user_event_number = reward_issues.user_event_number
        and ranked_claims.claim_rank = 1
)

select * from final;

comment on view marts.campaign_reward_attribution is 'One row per reward issued in an HTTP-log session, with the campaign that drove it (last campaign containing the reward viewed in the session at or before the issue). Grain: user_id, user_event_number.';
comment on column marts.campaign_reward_attribution.user_id is 'The user, as written in the log.';
comment on column marts.campaign_reward_attribution.session_id is 'The session (core.sessions.session_id): http_log:<user_id>:<session number>.';
comment on column marts.campaign_reward_attribution.reward_id is 'The reward issued with POST /rewards/{id}.';
comment on column marts.campaign_reward_attribution.issued_at is 'When the reward was issued, UTC. Filter on it for a time frame.';
comment on column marts.campaign_reward_attribution.campaign_id is 'The campaign that drove the reward: contains it per the mapping and was viewed last in the session at or before the issue; null when none was.';
comment on column marts.campaign_reward_attribution.campaign_viewed_at is 'When that campaign was last viewed before the issue, UTC; null when no campaign drove the reward.';
comment on column marts.campaign_reward_attribution.claiming_campaigns is 'How many campaigns could claim the reward (contain it and were viewed in the session at or before the issue); 0 when none.';
comment on column marts.campaign_reward_attribution.user_event_number is 'The issue''s place among the user''s events (core.sessionized_events.user_event_number): with user_id, the key.';

-- tests:
--   unique: user_id, user_event_number
--   not_null: user_id, session_id, reward_id, issued_at, claiming_campaigns, user_event_number
--   relationships: session_id -> core.sessions(session_id)
--   relationships: campaign_id, reward_id -> staging.campaign_reward_mapping(campaign_id, reward_id)
--   expression: campaign_viewed_at <= issued_at

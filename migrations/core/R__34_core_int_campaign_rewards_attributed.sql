-- core.int_campaign_rewards_attributed: per reward issued in an HTTP-log session the current refresh (re)wrote, the
-- campaign that drove it. The refresher materialises it into core.fct_campaign_reward_attribution, which
-- marts.campaign_reward_attribution reads.
--
-- The rule is campaign_performance's reward_driven_by_campaign_view at reward grain: a campaign drove a reward when the
-- campaign contains the reward (staging.campaign_reward_mapping) and was viewed in the same session at or before the
-- issue. When several did, the one viewed last before the issue wins (last touch; equal times: the smaller campaign id,
-- so the answer is stable), and claiming_campaigns says how many could claim it. None did: campaign_id is null.
--
-- The refresh rewrites whole sessions, and the rule looks only inside a session, so the rows of this run's events are
-- complete. The events are read in each CTE that needs them rather than through one import CTE: PostgreSQL would
-- materialise a CTE read twice (a copy of every campaign view and reward issue of the bucket).

drop view if exists core.int_campaign_rewards_attributed cascade;

create view core.int_campaign_rewards_attributed as
with

campaign_reward_mapping as (
    select distinct campaign_id, reward_id from staging.campaign_reward_mapping
),

reward_issues as (
    select
        user_id,
        session_number,
        reward_id,
        event_at as issued_at,
        user_event_number,
        refresh_id,
        user_bucket
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'reward_issue'
),

campaign_views as (
    select
        user_id,
        session_number,
        campaign_id,
        event_at as viewed_at
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'campaign_view'
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
        reward_issues.session_number,
        reward_issues.reward_id,
        reward_issues.issued_at,
        ranked_claims.campaign_id,
        ranked_claims.viewed_at as campaign_viewed_at,
        cast(coalesce(ranked_claims.claiming_campaigns, 0) as bigint) as claiming_campaigns,
        reward_issues.user_event_number,
        reward_issues.refresh_id,
        reward_issues.user_bucket
    from reward_issues
    left join ranked_claims
        on ranked_claims.user_id = reward_issues.user_id
        and ranked_claims.user_event_number = reward_issues.user_event_number
        and ranked_claims.claim_rank = 1
)

select * from final;

comment on view core.int_campaign_rewards_attributed is 'Per reward issued in an HTTP-log session written by the current refresh: the campaign that drove it (last campaign containing the reward viewed in the session at or before the issue); the refresher materialises it into core.fct_campaign_reward_attribution.';

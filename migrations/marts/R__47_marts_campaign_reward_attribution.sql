-- marts.campaign_reward_attribution: one row per reward issued in an HTTP-log session, with the campaign that drove it.
-- The rule (last campaign containing the reward viewed in the session at or before the issue) is
-- core.int_campaign_rewards_attributed; the refresher materialises it into core.fct_campaign_reward_attribution, so a
-- read of one campaign is an index scan of its rows instead of an attribution of every reward issued.

-- cascade: marts.campaign_daily read it before issue 19; the runner re-applies every later repeatable after this one runs
drop view if exists marts.campaign_reward_attribution cascade;

create view marts.campaign_reward_attribution as
with

fct_campaign_reward_attribution as (
    select * from core.fct_campaign_reward_attribution
),

final as (
    select
        user_id,
        ${session_id('http_log', user_id, session_number)} as session_id,
        reward_id,
        issued_at,
        campaign_id,
        campaign_viewed_at,
        claiming_campaigns,
        user_event_number
    from fct_campaign_reward_attribution
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

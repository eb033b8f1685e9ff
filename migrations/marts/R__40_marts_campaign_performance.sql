-- marts.campaign_performance: one row per HTTP-log session with the campaigns viewed, the rewards issued, and whether
-- a reward was driven by a campaign view. A time frame is a filter on session_start (sessions starting in [from, to)).
-- The per-session work (lists, the driven flag) is materialised by the refresher in core.fct_http_sessions
-- (logic: core.int_http_sessions_summarized) with the session's start and end, so reading this view reads one table.

drop view if exists marts.campaign_performance;

create view marts.campaign_performance as
with

fct_http_sessions as (
    select * from core.fct_http_sessions
),

final as (
    select
        user_id,
        session_start,
        session_end,
        campaigns,
        rewards_issued,
        reward_driven_by_campaign_view
    from fct_http_sessions
)

select * from final;

comment on view marts.campaign_performance is 'One row per HTTP-log session (5-minute gap by default): campaigns viewed, rewards issued, and whether a campaign view drove a reward. Grain: user_id, session_start.';
comment on column marts.campaign_performance.user_id is 'The user of the session, as written in the log.';
comment on column marts.campaign_performance.session_start is 'Time of the session''s first request, UTC. Filter on it for a time frame [from, to).';
comment on column marts.campaign_performance.session_end is 'Time of the session''s last request, UTC.';
comment on column marts.campaign_performance.campaigns is 'Distinct campaign ids viewed with GET /campaigns/{id}, in order of first view; empty when none.';
comment on column marts.campaign_performance.rewards_issued is 'Distinct reward ids issued with POST /rewards/{id}, in order of first issue; empty when none.';
comment on column marts.campaign_performance.reward_driven_by_campaign_view is 'True when some reward issued in the session belongs (per campaign_reward_mapping) to a campaign viewed in the same session at or before the issue.';

-- tests:
--   unique: user_id, session_start
--   not_null: user_id, session_start, session_end, campaigns, rewards_issued, reward_driven_by_campaign_view
--   relationships: user_id, session_start -> core.sessions(user_id, session_start)
--   expression: session_start <= session_end

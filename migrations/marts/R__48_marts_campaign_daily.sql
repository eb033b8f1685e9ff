-- marts.campaign_daily: per campaign and UTC day of its views, how it was seen and what it drove. A time frame of
-- "campaign performance" is a where day between ... on it. Rewards issued counts every reward issued in the sessions
-- that viewed the campaign that day; rewards driven counts those marts.campaign_reward_attribution credits to the
-- campaign, on the day of the view that drove them, so the rate compares driven rewards with the views of the same day.
--
-- Both inputs are kept by the refresh per session (core.int_campaign_views_summarized and
-- core.int_campaign_rewards_attributed), indexed on campaign_id: a read of one campaign sums that campaign's rows only.
-- The sums are taken on read rather than kept per day because a day's distinct viewers do not add up across refreshes.

drop view if exists marts.campaign_daily;

create view marts.campaign_daily as
with

fct_campaign_session_views as (
    select * from core.fct_campaign_session_views
),

fct_campaign_reward_attribution as (
    select * from core.fct_campaign_reward_attribution
    where campaign_id is not null
),

-- one row per session, campaign and day in the input, so sessions are rows and viewers distinct users
seen as (
    select
        campaign_id,
        view_date as day,
        count(*) as sessions_with_view,
        sum(views) as views,
        count(distinct user_id) as viewers,
        sum(rewards_issued) as rewards_issued
    from fct_campaign_session_views
    group by campaign_id, view_date
),

driven as (
    select
        campaign_id,
        ${utc_day(campaign_viewed_at)} as day,
        count(*) as rewards_driven
    from fct_campaign_reward_attribution
    group by campaign_id, ${utc_day(campaign_viewed_at)}
),

final as (
    select
        seen.campaign_id,
        seen.day,
        cast(seen.sessions_with_view as bigint) as sessions_with_view,
        cast(seen.views as bigint) as views,
        cast(seen.viewers as bigint) as viewers,
        cast(seen.rewards_issued as bigint) as rewards_issued,
        cast(coalesce(driven.rewards_driven, 0) as bigint) as rewards_driven,
        cast(cast(coalesce(driven.rewards_driven, 0) as decimal(18, 4)) / seen.views as decimal(9, 4)) as view_to_driven_reward_rate
    from seen
    left join driven
        on driven.campaign_id = seen.campaign_id
        and driven.day = seen.day
)

select * from final;

comment on view marts.campaign_daily is 'Per campaign and UTC day of its views: sessions and users that viewed it, rewards issued in those sessions and rewards it drove. Grain: campaign_id, day.';
comment on column marts.campaign_daily.campaign_id is 'The campaign viewed with GET /campaigns/{id}.';
comment on column marts.campaign_daily.day is 'UTC date of the views. A time frame is where day between ... and ....';
comment on column marts.campaign_daily.sessions_with_view is 'HTTP-log sessions with at least one view of the campaign that day.';
comment on column marts.campaign_daily.views is 'Views of the campaign that day (every GET /campaigns/{id}, repeats included).';
comment on column marts.campaign_daily.viewers is 'Distinct users who viewed the campaign that day.';
comment on column marts.campaign_daily.rewards_issued is 'Rewards issued (any reward) in the sessions that viewed the campaign that day.';
comment on column marts.campaign_daily.rewards_driven is 'Rewards marts.campaign_reward_attribution credits to the campaign, counted on the day of the view that drove them.';
comment on column marts.campaign_daily.view_to_driven_reward_rate is 'rewards_driven / views, to 4 decimals.';

-- tests:
--   unique: campaign_id, day
--   not_null: campaign_id, day, sessions_with_view, views, viewers, rewards_issued, rewards_driven, view_to_driven_reward_rate
--   expression: viewers <= sessions_with_view and sessions_with_view <= views

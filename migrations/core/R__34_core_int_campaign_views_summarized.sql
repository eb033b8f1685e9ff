-- core.int_campaign_views_summarized: per HTTP-log session the current refresh (re)wrote, each campaign it viewed and
-- UTC day of those views: the views, and the rewards issued in the whole session. The refresher materialises it into
-- core.fct_campaign_session_views; marts.campaign_daily sums it per campaign and day.
--
-- Kept per session, not per day: a campaign's viewers of a day are distinct users over sessions, which does not add up
-- across refreshes, while a session's rows are rewritten whole whenever the session changes. The events are read in
-- each CTE that needs them rather than through one import CTE: PostgreSQL would materialise a CTE read twice.

drop view if exists core.int_campaign_views_summarized cascade;

create view core.int_campaign_views_summarized as
with

campaign_views as (
    select
        user_id,
        session_number,
        campaign_id,
        ${utc_day(event_at)} as view_date,
        refresh_id,
        user_bucket
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'campaign_view'
),

rewards_per_session as (
    select
        user_id,
        session_number,
        count(*) as rewards_issued
    from core.int_sessionized_events_this_run
    where source = 'http_log'
        and event_type = 'reward_issue'
    group by user_id, session_number
),

session_campaign_days as (
    select
        user_id,
        session_number,
        campaign_id,
        view_date,
        refresh_id,
        user_bucket,
        count(*) as views
    from campaign_views
    group by user_id, session_number, campaign_id, view_date, refresh_id, user_bucket
),

final as (
    select
        session_campaign_days.user_id,
        session_campaign_days.session_number,
        session_campaign_days.campaign_id,
        session_campaign_days.view_date,
        cast(session_campaign_days.views as bigint) as views,
        cast(coalesce(rewards_per_session.rewards_issued, 0) as bigint) as rewards_issued,
        session_campaign_days.refresh_id,
        session_campaign_days.user_bucket
    from session_campaign_days
    left join rewards_per_session
        on rewards_per_session.user_id = session_campaign_days.user_id
        and rewards_per_session.session_number = session_campaign_days.session_number
)

select * from final;

comment on view core.int_campaign_views_summarized is 'Per HTTP-log session written by the current refresh, campaign viewed and UTC day: views and the rewards issued in the session; the refresher materialises it into core.fct_campaign_session_views.';

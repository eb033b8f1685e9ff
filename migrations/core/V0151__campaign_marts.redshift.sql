-- REDSHIFT VARIANT of V0151__campaign_marts.sql: plain tables, since a refresh there is one transaction that deletes
-- and rewrites the rows (no partition to swap), and no indexes (Redshift has none): both are distributed by user, as
-- the refresh rewrites a user's rows, and sorted on campaign_id, what a typical read filters on.

create table core.fct_campaign_reward_attribution (
    user_id varchar(256) not null,
    session_number bigint not null,
    reward_id varchar(256),
    issued_at timestamptz not null,
    campaign_id varchar(256),
    campaign_viewed_at timestamptz,
    claiming_campaigns bigint not null,
    user_event_number bigint not null,
    refresh_id bigint not null,
    user_bucket smallint not null
)
distkey (user_id)
sortkey (campaign_id, issued_at);

create table core.fct_campaign_session_views (
    user_id varchar(256) not null,
    session_number bigint not null,
    campaign_id varchar(256),
    view_date date not null,
    views bigint not null,
    rewards_issued bigint not null,
    refresh_id bigint not null,
    user_bucket smallint not null
)
distkey (user_id)
sortkey (campaign_id, view_date);

comment on table core.fct_campaign_reward_attribution is 'Materialised core.int_campaign_rewards_attributed: one row per reward issued in an HTTP-log session, with the campaign that drove it. Read it through marts.campaign_reward_attribution. Grain: user_id, user_event_number.';
comment on column core.fct_campaign_reward_attribution.session_number is 'The session''s number among the user''s HTTP-log sessions (the mart derives session_id from it).';
comment on column core.fct_campaign_reward_attribution.refresh_id is 'The refresh that wrote the row.';
comment on column core.fct_campaign_reward_attribution.user_bucket is 'The user''s bucket (always 0 on Redshift).';
comment on table core.fct_campaign_session_views is 'Materialised core.int_campaign_views_summarized: per HTTP-log session, campaign viewed and UTC day of the views, the views and the rewards issued in the session. marts.campaign_daily sums it. Grain: user_id, session_number, campaign_id, view_date.';
comment on column core.fct_campaign_session_views.view_date is 'UTC date of the views.';
comment on column core.fct_campaign_session_views.views is 'Views of the campaign in the session that day.';
comment on column core.fct_campaign_session_views.rewards_issued is 'Rewards issued (any reward) in the whole session.';
comment on column core.fct_campaign_session_views.refresh_id is 'The refresh that wrote the row.';
comment on column core.fct_campaign_session_views.user_bucket is 'The user''s bucket (always 0 on Redshift).';

create table core.fct_campaign_reward_attribution_this_run (like core.fct_campaign_reward_attribution);
create table core.fct_campaign_session_views_this_run (like core.fct_campaign_session_views);

comment on table core.fct_campaign_reward_attribution_this_run is 'Refresher scratch table, empty outside a refresh: the reward attributions the current refresh builds.';
comment on table core.fct_campaign_session_views_this_run is 'Refresher scratch table, empty outside a refresh: the per-session campaign views the current refresh builds.';

-- the tables start empty: the next refresh is a full one and fills them
update core.refresh_state set loaded_through_load_id = -1;

-- The campaign marts, materialised (issue 19). marts.campaign_reward_attribution and marts.campaign_daily computed
-- from every campaign view and reward issue on each read, slow at scale; the refresh now keeps
-- their per-session rows, the way it keeps the sessions, and the marts are views over these tables.
--
-- Both rules work within a session, so both tables are built per bucket of users like core.fct_http_sessions: a full
-- refresh builds each bucket's partition and swaps it in with the publish; an incremental refresh deletes the rows of
-- the sessions it reopens and inserts their rebuilt rows in its transaction. A new campaign mapping already makes the
-- refresh a full one (reward_driven_by_campaign_view changes with it, and so does the attribution).
--
-- core.fct_campaign_session_views keeps per session, campaign and UTC day the views, and the rewards issued in the
-- session: marts.campaign_daily sums them per campaign and day (distinct viewers included, since a user's sessions are
-- all there), and counts the driven rewards from core.fct_campaign_reward_attribution.
--
-- A typical read asks for one campaign: both tables have an index on campaign_id (with the column a page is ordered
-- by). The this_run twins carry the same index, so each bucket builds its partition's index in its own transaction
-- and the publish attaches it without building anything.

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
) partition by list (user_bucket);

create table core.fct_campaign_session_views (
    user_id varchar(256) not null,
    session_number bigint not null,
    campaign_id varchar(256),
    view_date date not null,
    views bigint not null,
    rewards_issued bigint not null,
    refresh_id bigint not null,
    user_bucket smallint not null
) partition by list (user_bucket);

comment on table core.fct_campaign_reward_attribution is 'Materialised core.int_campaign_rewards_attributed: one row per reward issued in an HTTP-log session, with the campaign that drove it; one partition per user bucket. Read it through marts.campaign_reward_attribution. Grain: user_id, user_event_number.';
comment on column core.fct_campaign_reward_attribution.session_number is 'The session''s number among the user''s HTTP-log sessions (the mart derives session_id from it).';
comment on column core.fct_campaign_reward_attribution.refresh_id is 'The refresh that wrote the row.';
comment on column core.fct_campaign_reward_attribution.user_bucket is 'The user''s bucket (core.fct_sessionized_events.user_bucket).';
comment on table core.fct_campaign_session_views is 'Materialised core.int_campaign_views_summarized: per HTTP-log session, campaign viewed and UTC day of the views, the views and the rewards issued in the session; one partition per user bucket. marts.campaign_daily sums it. Grain: user_id, session_number, campaign_id, view_date.';
comment on column core.fct_campaign_session_views.view_date is 'UTC date of the views.';
comment on column core.fct_campaign_session_views.views is 'Views of the campaign in the session that day.';
comment on column core.fct_campaign_session_views.rewards_issued is 'Rewards issued (any reward) in the whole session.';
comment on column core.fct_campaign_session_views.refresh_id is 'The refresh that wrote the row.';
comment on column core.fct_campaign_session_views.user_bucket is 'The user''s bucket (core.fct_sessionized_events.user_bucket).';

create table core.fct_campaign_reward_attribution_b0 partition of core.fct_campaign_reward_attribution (constraint bucket check (user_bucket = 0)) for values in (0);
create table core.fct_campaign_session_views_b0 partition of core.fct_campaign_session_views (constraint bucket check (user_bucket = 0)) for values in (0);

create table core.fct_campaign_reward_attribution_this_run (like core.fct_campaign_reward_attribution including comments) partition by list (user_bucket);
create table core.fct_campaign_session_views_this_run (like core.fct_campaign_session_views including comments) partition by list (user_bucket);

comment on table core.fct_campaign_reward_attribution_this_run is 'Refresher scratch table, empty outside a refresh: the reward attributions the current refresh builds (one partition per bucket in a full refresh).';
comment on table core.fct_campaign_session_views_this_run is 'Refresher scratch table, empty outside a refresh: the per-session campaign views the current refresh builds (one partition per bucket in a full refresh).';

create table core.fct_campaign_reward_attribution_this_run_rest partition of core.fct_campaign_reward_attribution_this_run default;
create table core.fct_campaign_session_views_this_run_rest partition of core.fct_campaign_session_views_this_run default;

create index fct_campaign_reward_attribution_campaign on core.fct_campaign_reward_attribution (campaign_id, issued_at);
create index fct_campaign_session_views_campaign on core.fct_campaign_session_views (campaign_id, view_date);
create index fct_campaign_reward_attribution_this_run_campaign on core.fct_campaign_reward_attribution_this_run (campaign_id, issued_at);
create index fct_campaign_session_views_this_run_campaign on core.fct_campaign_session_views_this_run (campaign_id, view_date);

-- the tables start empty: the next refresh is a full one and fills them
update core.refresh_state set loaded_through_load_id = -1;

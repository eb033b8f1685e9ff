-- core.fct_http_sessions: the per-session part of marts.campaign_performance, materialised (it is the part that reads
-- every HTTP event). DIALECT POINT: the lists are arrays here and comma-separated VARCHAR on Redshift (the variant of
-- this file), exactly as core.int_http_sessions_summarized builds them.

create table core.fct_http_sessions (
    session_id varchar(320) not null,
    user_id varchar(256) not null,
    session_number bigint not null,
    campaigns varchar(256)[] not null,
    rewards_issued varchar(256)[] not null,
    reward_driven_by_campaign_view boolean not null,
    refresh_id bigint not null
);

comment on table core.fct_http_sessions is 'Materialised core.int_http_sessions_summarized: per HTTP-log session, the campaign and reward lists and whether a campaign view drove a reward. Grain: session_id.';
comment on column core.fct_http_sessions.session_id is 'The session (core.sessions.session_id).';
comment on column core.fct_http_sessions.user_id is 'The user of the session.';
comment on column core.fct_http_sessions.session_number is 'The session''s number among the user''s HTTP-log sessions.';
comment on column core.fct_http_sessions.campaigns is 'Distinct campaign ids viewed, in order of first view; empty when none.';
comment on column core.fct_http_sessions.rewards_issued is 'Distinct reward ids issued, in order of first issue; empty when none.';
comment on column core.fct_http_sessions.reward_driven_by_campaign_view is 'True when some reward issued in the session belongs to a campaign viewed in the same session at or before the issue.';
comment on column core.fct_http_sessions.refresh_id is 'The refresh that wrote the row.';

-- core.fct_http_sessions, REDSHIFT VARIANT of V0062__http_sessions_table.sql: Redshift has no arrays, so the lists are
-- comma-separated VARCHAR, as core.int_http_sessions_summarized builds them with LISTAGG (R__33 variant). Everything
-- else is the plain file verbatim.

create table core.fct_http_sessions (
    session_id varchar(320) not null,
    user_id varchar(256) not null,
    session_number bigint not null,
    campaigns varchar(65535) not null,
    rewards_issued varchar(65535) not null,
    reward_driven_by_campaign_view boolean not null,
    refresh_id bigint not null
);

comment on table core.fct_http_sessions is 'Materialised core.int_http_sessions_summarized: per HTTP-log session, the campaign and reward lists and whether a campaign view drove a reward. Grain: session_id.';
comment on column core.fct_http_sessions.session_id is 'The session (core.sessions.session_id).';
comment on column core.fct_http_sessions.user_id is 'The user of the session.';
comment on column core.fct_http_sessions.session_number is 'The session''s number among the user''s HTTP-log sessions.';
comment on column core.fct_http_sessions.campaigns is 'Distinct campaign ids viewed, in order of first view, comma-separated; empty string when none.';
comment on column core.fct_http_sessions.rewards_issued is 'Distinct reward ids issued, in order of first issue, comma-separated; empty string when none.';
comment on column core.fct_http_sessions.reward_driven_by_campaign_view is 'True when some reward issued in the session belongs to a campaign viewed in the same session at or before the issue.';
comment on column core.fct_http_sessions.refresh_id is 'The refresh that wrote the row.';

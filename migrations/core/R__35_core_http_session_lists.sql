-- core.http_session_lists: the campaigns viewed and rewards issued in each HTTP-log session, as ordered lists, as of
-- the last refresh. Built by core.int_http_sessions_summarized (where the dialect-specific list aggregates live) and
-- materialised in core.fct_http_sessions.

drop view if exists core.http_session_lists cascade;

create view core.http_session_lists as
with

fct_http_sessions as (
    select * from core.fct_http_sessions
),

final as (
    select
        session_id,
        campaigns,
        rewards_issued
    from fct_http_sessions
)

select * from final;

comment on view core.http_session_lists is 'Per HTTP-log session: campaigns viewed and rewards issued, distinct, in order of first occurrence. Grain: session_id. Arrays in PostgreSQL, comma-separated VARCHAR on Redshift.';
comment on column core.http_session_lists.session_id is 'The session (core.sessions.session_id).';
comment on column core.http_session_lists.campaigns is 'Distinct campaign ids of GET /campaigns/{id} requests in the session, in order of first view; empty when none (on Redshift comma-separated, empty string when none).';
comment on column core.http_session_lists.rewards_issued is 'Distinct reward ids of POST /rewards/{id} requests in the session, in order of first issue; empty when none (on Redshift comma-separated, empty string when none).';

-- core.http_session_lists, REDSHIFT VARIANT of R__35_core_http_session_lists.sql: the runner runs this file instead of
-- the plain one when --target redshift. Everything except the two list expressions (and this header and the comment
-- on the view) is the plain file verbatim; keep them in step.
--
-- Why a variant and not a dialect variable: the list aggregate differs in shape, not in a word. PostgreSQL writes
-- array_remove(array_agg(id order by n), null); Redshift has no arrays
-- (https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-functions.html) and writes
-- listagg(id, ',') within group (order by n) (https://docs.aws.amazon.com/redshift/latest/dg/r_LISTAGG.html).
-- On Redshift a list is therefore a comma-separated VARCHAR ('12,7,31'), empty string when none (LISTAGG skips nulls
-- and returns null for a group of nulls only, hence the coalesce). Campaign and reward ids are path segments of
-- /campaigns/{id} and /rewards/{id}, which never contain a comma. LISTAGG fails beyond 65535 bytes, far above any
-- session's distinct ids.
-- The two lists are aggregated in separate CTEs: Redshift rejects ordered aggregates with different ORDER BYs in
-- one SELECT.

drop view if exists core.http_session_lists cascade;

create view core.http_session_lists as
with

http_events as (
    select * from core.sessionized_events
    where source = 'http_log'
),

-- distinct ids, each placed at its first view / first issue (user_event_number orders by time, then input position).
-- Grouped over all of the session's events, not only views: a session without views keeps one group with a null id,
-- so every session gets a row, and the list aggregate leaves the null out.
campaign_first_views as (
    select
        session_id,
        campaign_id,
        min(user_event_number) as first_view_number
    from http_events
    group by session_id, campaign_id
),

reward_first_issues as (
    select
        session_id,
        reward_id,
        min(user_event_number) as first_issue_number
    from http_events
    group by session_id, reward_id
),

campaign_lists as (
    select
        session_id,
        -- dialect: Redshift list; LISTAGG leaves the null group's entry out by itself
        coalesce(listagg(campaign_id, ',') within group (order by first_view_number), '') as campaigns
    from campaign_first_views
    group by session_id
),

reward_lists as (
    select
        session_id,
        -- dialect: Redshift list, as above
        coalesce(listagg(reward_id, ',') within group (order by first_issue_number), '') as rewards_issued
    from reward_first_issues
    group by session_id
),

final as (
    select
        campaign_lists.session_id,
        campaign_lists.campaigns,
        reward_lists.rewards_issued
    from campaign_lists
    inner join reward_lists
        on reward_lists.session_id = campaign_lists.session_id
)

select * from final;

comment on view core.http_session_lists is 'Per HTTP-log session: campaigns viewed and rewards issued, distinct, in order of first occurrence. Grain: session_id. On Redshift the lists are comma-separated VARCHAR (LISTAGG), in PostgreSQL arrays.';
comment on column core.http_session_lists.session_id is 'The session (core.sessions.session_id).';
comment on column core.http_session_lists.campaigns is 'Distinct campaign ids of GET /campaigns/{id} requests in the session, in order of first view, comma-separated; empty string when none.';
comment on column core.http_session_lists.rewards_issued is 'Distinct reward ids of POST /rewards/{id} requests in the session, in order of first issue, comma-separated; empty string when none.';

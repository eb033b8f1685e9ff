-- marts.http_status_daily: every access_log request, bots included (this is where their share shows), per UTC day and
-- status class (1xx .. 5xx, core.int_access_log_requests).

drop view if exists marts.http_status_daily;

create view marts.http_status_daily as
with

requests as (
    select * from core.int_access_log_requests
),

requests_flagged as (
    select
        ${utc_day(event_at)} as request_date,
        status_class,
        case when is_bot then 1 else 0 end as is_bot_request
    from requests
),

daily_totals as (
    select
        request_date,
        status_class,
        count(*) as requests,
        cast(sum(is_bot_request) as bigint) as bot_requests
    from requests_flagged
    group by request_date, status_class
),

final as (
    select
        request_date,
        status_class,
        requests,
        bot_requests,
        cast(cast(bot_requests as decimal(18, 6)) / requests as decimal(18, 6)) as bot_share
    from daily_totals
)

select * from final;

comment on view marts.http_status_daily is 'access_log requests, bots included, per UTC day and status class, with the bots'' share. Grain: request_date, status_class.';
comment on column marts.http_status_daily.request_date is 'UTC calendar day of the requests.';
comment on column marts.http_status_daily.status_class is '1xx, 2xx, 3xx, 4xx or 5xx by the status''s first digit; other outside 100-599.';
comment on column marts.http_status_daily.requests is 'Requests that day with a status of this class, bots included.';
comment on column marts.http_status_daily.bot_requests is 'Of those, requests of bots (agent in core.bot_agent_patterns or a visitor that fetched /robots.txt).';
comment on column marts.http_status_daily.bot_share is 'bot_requests / requests.';

-- tests:
--   unique: request_date, status_class
--   not_null: request_date, status_class, requests, bot_requests, bot_share
--   accepted_values: status_class in (1xx, 2xx, 3xx, 4xx, 5xx, other)
--   expression: bot_requests <= requests

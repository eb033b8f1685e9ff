-- core.fct_http_sessions also keeps its session's start and end, so marts.campaign_performance reads one table instead
-- of joining 1.9 million summaries to 1.9 million sessions on the text session_id at every read (5 million events:
-- about 2 s a read). The refresher writes both with the summary, which already reads the sessions. Rows written before
-- this migration get them from core.fct_sessions here; a session and its summary are always rewritten together.

alter table core.fct_http_sessions add column session_start timestamptz;
alter table core.fct_http_sessions add column session_end timestamptz;

comment on column core.fct_http_sessions.session_start is 'Time of the session''s first event, UTC (core.sessions.session_start).';
comment on column core.fct_http_sessions.session_end is 'Time of the session''s last event, UTC (core.sessions.session_end).';

update core.fct_http_sessions
set
    session_start = fct_sessions.session_start,
    session_end = fct_sessions.session_end
from core.fct_sessions
where fct_sessions.session_id = fct_http_sessions.session_id;

-- Rule tables of the access_log source (issue 18), read by core.int_access_log_requests: which user agents are bots,
-- which paths are static assets, which referrer hosts are search engines or social networks. Plain tables and inserts
-- so the same script runs on Redshift; a new rule is a row, not an edit of a model. No CHECK constraints (Redshift has
-- none): the kinds and channels are the few values the comments name.

create table core.bot_agent_patterns (
    agent_pattern varchar(64) primary key,
    bot_family varchar(64) not null,
    bot_kind varchar(16) not null,
    priority integer not null
);

comment on table core.bot_agent_patterns is 'Bot user agents: a request is a bot''s when its lower-cased User-Agent contains agent_pattern. Grain: agent_pattern.';
comment on column core.bot_agent_patterns.agent_pattern is 'Lower-case substring of the User-Agent, matched with LIKE ''%pattern%''.';
comment on column core.bot_agent_patterns.bot_family is 'The bot''s name as reported, e.g. Googlebot, or Other bot for the generic patterns.';
comment on column core.bot_agent_patterns.bot_kind is 'crawler (indexes or scans the site) or tool (an HTTP client used by a script).';
comment on column core.bot_agent_patterns.priority is 'When several patterns match, the lowest priority names the family: named bots (1) before generic words (2).';

-- the named crawlers also contain "bot" or "spider": priority 1 gives them their own name
insert into core.bot_agent_patterns (agent_pattern, bot_family, bot_kind, priority) values
    ('googlebot', 'Googlebot', 'crawler', 1),
    ('bingbot', 'bingbot', 'crawler', 1),
    ('baiduspider', 'Baiduspider', 'crawler', 1),
    ('yandexbot', 'YandexBot', 'crawler', 1),
    ('ahrefsbot', 'AhrefsBot', 'crawler', 1),
    ('semrushbot', 'SemrushBot', 'crawler', 1),
    ('duckduckbot', 'DuckDuckBot', 'crawler', 1),
    ('applebot', 'Applebot', 'crawler', 1),
    ('mj12bot', 'MJ12bot', 'crawler', 1),
    ('dotbot', 'DotBot', 'crawler', 1),
    ('petalbot', 'PetalBot', 'crawler', 1),
    ('facebookexternalhit', 'facebookexternalhit', 'crawler', 1),
    ('bingpreview', 'BingPreview', 'crawler', 1),
    ('feedfetcher-google', 'FeedFetcher-Google', 'crawler', 1),
    ('curl/', 'curl', 'tool', 1),
    ('wget/', 'Wget', 'tool', 1),
    ('python-requests', 'python-requests', 'tool', 1),
    ('python-urllib', 'Python-urllib', 'tool', 1),
    ('go-http-client', 'Go-http-client', 'tool', 1),
    ('libwww-perl', 'libwww-perl', 'tool', 1),
    ('bot', 'Other bot', 'crawler', 2),
    ('crawl', 'Other bot', 'crawler', 2),
    ('spider', 'Other bot', 'crawler', 2),
    ('slurp', 'Other bot', 'crawler', 2),
    -- the converter's generic bot words too (UserAgentFamilies), so a request whose device it calls Spider is a bot here:
    -- feed readers and link checkers fetch pages without a person behind them
    ('feed', 'Other bot', 'crawler', 2),
    ('rss', 'Other bot', 'crawler', 2),
    ('fetch', 'Other bot', 'crawler', 2),
    ('scrape', 'Other bot', 'crawler', 2),
    ('archiver', 'Other bot', 'crawler', 2),
    ('validator', 'Other bot', 'crawler', 2),
    ('link sleuth', 'Other bot', 'crawler', 2);

create table core.asset_extensions (
    extension varchar(16) primary key,
    asset_type varchar(16) not null
);

comment on table core.asset_extensions is 'Static assets: a request whose path ends in .extension is activity for its session but not a page view. Grain: extension.';
comment on column core.asset_extensions.extension is 'Lower-case file extension without the dot, compared with the path''s last segment after its last dot.';
comment on column core.asset_extensions.asset_type is 'image, style, script, font, data or other.';

insert into core.asset_extensions (extension, asset_type) values
    ('png', 'image'),
    ('jpg', 'image'),
    ('jpeg', 'image'),
    ('gif', 'image'),
    ('svg', 'image'),
    ('webp', 'image'),
    ('avif', 'image'),
    ('bmp', 'image'),
    ('ico', 'image'),
    ('css', 'style'),
    ('js', 'script'),
    ('mjs', 'script'),
    ('map', 'script'),
    ('woff', 'font'),
    ('woff2', 'font'),
    ('ttf', 'font'),
    ('otf', 'font'),
    ('eot', 'font'),
    ('json', 'data'),
    ('xml', 'data'),
    ('txt', 'other');

create table core.referrer_host_patterns (
    host_pattern varchar(64) primary key,
    referrer_name varchar(64) not null,
    channel varchar(16) not null
);

comment on table core.referrer_host_patterns is 'Known search engines and social networks by referrer host. Grain: host_pattern.';
comment on column core.referrer_host_patterns.host_pattern is 'LIKE pattern matched against ''.'' || host (lower case), so ''%.google.%'' matches google.com and www.google.co.uk but not notgoogle.com.';
comment on column core.referrer_host_patterns.referrer_name is 'The engine or network, e.g. Google.';
comment on column core.referrer_host_patterns.channel is 'search or social.';

insert into core.referrer_host_patterns (host_pattern, referrer_name, channel) values
    ('%.google.%', 'Google', 'search'),
    ('%.bing.com', 'Bing', 'search'),
    ('%.search.yahoo.com', 'Yahoo', 'search'),
    ('%.duckduckgo.com', 'DuckDuckGo', 'search'),
    ('%.baidu.com', 'Baidu', 'search'),
    ('%.yandex.%', 'Yandex', 'search'),
    ('%.ecosia.org', 'Ecosia', 'search'),
    ('%.ask.com', 'Ask', 'search'),
    ('%.naver.com', 'Naver', 'search'),
    ('%.seznam.cz', 'Seznam', 'search'),
    ('%.facebook.com', 'Facebook', 'social'),
    ('%.twitter.com', 'Twitter', 'social'),
    ('%.t.co', 'Twitter', 'social'),
    ('%.x.com', 'Twitter', 'social'),
    ('%.linkedin.com', 'LinkedIn', 'social'),
    ('%.lnkd.in', 'LinkedIn', 'social'),
    ('%.reddit.com', 'Reddit', 'social'),
    ('%.instagram.com', 'Instagram', 'social'),
    ('%.pinterest.com', 'Pinterest', 'social'),
    ('%.youtube.com', 'YouTube', 'social'),
    ('%.tiktok.com', 'TikTok', 'social'),
    ('%.news.ycombinator.com', 'Hacker News', 'social'),
    ('%.vk.com', 'VK', 'social');
